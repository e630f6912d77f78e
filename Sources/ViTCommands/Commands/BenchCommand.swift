import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStages

public struct BenchCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-bench",
        abstract: "Measure images/s of training steps and inference on synthetic images.",
        discussion: "Training: forward, loss, backward and AdamW at batch 128. Inference: forward only at "
            + "each of --batch-sizes (batch 1 is also reported as latency; batches too small to share between threads, such as "
            + "batch 1, run on one). Each figure is the median of --repeats "
            + "timed windows of at least --seconds each, after a warm-up; the range is printed beside it. "
            + "int8 is inference only: an int8 checkpoint runs as stored; a float model (a preset's random "
            + "weights, or a float checkpoint) is quantized first, per --quantization (static calibrates on "
            + "one synthetic batch). f32 and bf16 of an int8 checkpoint run its dequantized weights.")

    enum Mode: String, ExpressibleByArgument, CaseIterable { case train, infer }

    @Option(help: "A preset (teacher, student, cct-teacher, cct-student), a comma-separated list of them, or all (every preset).")
    var model: String = "cct-student,cct-teacher"
    @Option(help: "train, infer, or all.") var mode: String = "all"
    @Option(help: "auto, f32, bf16, int8 (inference only), or all (bf16 only where the CPU computes it natively).")
    var precision: String = "all"
    @Option(help: "How int8 quantizes a float model's activations: static or dynamic.")
    var quantization: QuantizationSettings.Mode = .static
    @Option(help: "Benchmark this checkpoint's architecture and weights instead of a preset.")
    var checkpoint: String?
    @Option(help: "Inference batch sizes, comma-separated; batch 1 is also reported as latency.")
    var batchSizes: String = "256,1"
    @Option(help: "Seconds per timed window.") var seconds: Double = 3
    @Option(help: "Timed windows per figure.") var repeats: Int = 3
    @Flag(help: "Print one JSON object per line.") var json = false

    public func validate() throws {
        if model != "all", let unknown = presetNames.first(where: { ModelConfig.preset(named: $0) == nil }) {
            throw ValidationError("--model: no preset named '\(unknown)'")
        }
        if mode != "all" && Mode(rawValue: mode) == nil { throw ValidationError("--mode must be train, infer or all") }
        if precision != "all" && PrecisionChoice(rawValue: precision) == nil {
            throw ValidationError("--precision must be auto, f32, bf16, int8 or all")
        }
        if precision == "int8" && mode == Mode.train.rawValue { throw ValidationError("int8 is inference only: use --mode infer") }
        if seconds <= 0 || repeats < 1 { throw ValidationError("--seconds must be positive and --repeats at least 1") }
        if inferenceBatches.isEmpty || inferenceBatches.contains(where: { $0 < 1 }) {
            throw ValidationError("--batch-sizes must be a comma-separated list of positive sizes, got '\(batchSizes)'")
        }
    }

    public func run() throws {
        var subjects: [(String, VisionTransformer)] = []
        if let checkpoint {
            subjects = [(checkpoint, try LoadedModel(path: checkpoint).model)]
        } else {
            for name in presetNames {
                subjects.append((name, try VisionTransformer(config: ModelConfig.preset(named: name)!, seed: 0)))
            }
        }
        let modes = mode == "all" ? Mode.allCases : [Mode(rawValue: mode)!]
        let cpu = CPUCapabilities.current
        let precisions: [Precision]
        if precision == "all" {
            precisions = cpu.nativeBFloat16 ? [.f32, .bf16, .int8] : [.f32, .int8]
        } else {
            // Refuses bf16 where it is not native; resolves auto. int8 is inference only.
            precisions = [try cpu.resolve(PrecisionChoice(rawValue: precision)!, training: false)]
        }
        // The peak every training figure is a share of, measured in the same sitting.
        var peaks: [Precision: Double] = [:]
        if modes.contains(.train) {
            for precision in precisions where precision != .int8 {
                peaks[precision] = matrixProductPeak(precision: precision, seconds: min(seconds, 1), repeats: repeats)
            }
        }
        if !json {
            print("compute: \(cpu.summary)" + (cpu.nativeBFloat16 || precision != "all" ? "" : "; bf16 skipped"))
            print("threads: \(workerCount); median of \(repeats) windows of \(seconds) s; range in brackets")
            if !peaks.isEmpty {
                print("matrix-product peak (oneDNN, 8192x1024 by 1024x1024): "
                      + peaks.sorted { $0.key.rawValue > $1.key.rawValue }
                          .map { String(format: "%@ %.0f GFLOP/s", $0.key.rawValue, $0.value) }.joined(separator: ", "))
            }
        }
        for (name, network) in subjects {
            let float = network.isQuantized ? network.floatCopy() : network
            for mode in modes {
                for precision in precisions {
                    if precision == .int8 {
                        guard mode == .infer else { continue }
                        let int8 = network.isQuantized ? network : try quantizedCopy(of: network)
                        for batch in inferenceBatches {
                            report(name, mode, precision, batch: batch, measureInference(int8, .int8, batch: batch))
                        }
                        continue
                    }
                    switch mode {
                    case .train:
                        report(name, mode, precision, batch: 128, measureTraining(float, precision),
                               flopsPerImage: float.config.trainingFlops, peak: peaks[precision])
                    case .infer:
                        for batch in inferenceBatches {
                            report(name, mode, precision, batch: batch, measureInference(float, precision, batch: batch))
                        }
                    }
                }
            }
        }
    }

    private var presetNames: [String] {
        model == "all" ? ModelConfig.presetNames : model.split(separator: ",").map(String.init)
    }

    private var inferenceBatches: [Int] { batchSizes.split(separator: ",").map { Int($0) ?? 0 } }

    /// The model with int8 linear layers, quantized per --quantization.
    private func quantizedCopy(of network: VisionTransformer) throws -> VisionTransformer {
        let copy = network.floatCopy()
        var settings = QuantizationSettings()
        settings.mode = quantization
        let calibration = syntheticImages(64, copy.config)
        try PostTrainingQuantization.quantize(copy, settings: settings, batchCount: 1) { _ in calibration }
        return copy
    }

    /// One figure; a training figure also as GFLOP/s and a share of the precision's peak.
    private func report(_ name: String, _ mode: Mode, _ precision: Precision, batch: Int, _ rates: [Double],
                        flopsPerImage: Double? = nil, peak: Double? = nil) {
        let sorted = rates.sorted(), median = sorted[sorted.count / 2]
        let rate = flopsPerImage.map { median * $0 / 1e9 }
        let share = rate.flatMap { rate in peak.map { rate / $0 } }
        if json {
            var line = "{\"model\": \"\(name)\", \"mode\": \"\(mode.rawValue)\", \"precision\": \"\(precision.rawValue)\", "
                + "\"isa\": \"\(CPUCapabilities.current.isa)\", "
                + "\"batch\": \(batch), \"images_per_second\": \(String(format: "%.1f", median))"
            if batch == 1 { line += ", \"latency_ms\": \(String(format: "%.3f", 1000 / median))" }
            if let rate { line += ", \"gflops_per_second\": \(String(format: "%.1f", rate))" }
            if let share, let peak {
                line += ", \"peak_gflops_per_second\": \(String(format: "%.1f", peak)), \"peak_share\": \(String(format: "%.3f", share))"
            }
            print(line + "}")
        } else {
            var text = "\(name) \(mode.rawValue) \(precision.rawValue) batch \(batch): "
                + String(format: "%.1f images/s [%.1f-%.1f]", median, sorted.first!, sorted.last!)
            if batch == 1 { text += String(format: ", latency %.2f ms", 1000 / median) }
            if let rate, let flopsPerImage {
                text += String(format: "; %.2f GFLOP an image, %.0f GFLOP/s", flopsPerImage / 1e9, rate)
                if let share { text += String(format: ", %.0f%% of the %@ peak", 100 * share, precision.rawValue) }
            }
            print(text)
        }
    }

    /// Images/s of full training steps on a private copy of the model (AdamW changes weights).
    private func measureTraining(_ network: VisionTransformer, _ precision: Precision) -> [Double] {
        let copy = network.floatCopy()
        let optimizer = AdamW(weightDecay: 0.05)
        let step = TrainingStep(loss: ClassificationLoss(kind: .ce, labelSmoothing: 0.1), precision: precision, clipNorm: 1)
        let images = syntheticImages(128, copy.config), labels = (0..<128).map { Int32($0 % copy.config.numClasses) }
        return timedWindows(imagesPerCall: 128, seconds: seconds, repeats: repeats) {
            _ = step.run(model: copy, optimizer: optimizer, images: images, labels: labels, learningRate: 1e-4, dropoutSeed: 1)
        }
    }

    private func measureInference(_ network: VisionTransformer, _ precision: Precision, batch: Int) -> [Double] {
        measureInferenceWindows(network, batch: batch, seconds: seconds, repeats: repeats, precision: precision)
    }
}
