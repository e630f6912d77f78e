import ArgumentParser
import Foundation
import ViTCore
import ViTStore

public struct QuantizeCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-quantize",
        abstract: "Post-training int8 quantization of a float checkpoint.",
        discussion: "Weights of every linear layer (qkv, proj, fc1, fc2, head; the patch embedding with "
            + "--quantize-patch-embedding) become symmetric int8 per output channel; those layers' inputs become "
            + "u8 with a zero point, scaled from calibration on training images (static) or from each batch's "
            + "own range at run time (dynamic). LayerNorm, softmax, GELU, residual adds and the attention "
            + "products stay float32. vit-eval and vit-bench run the result through oneDNN's u8 x s8 kernels.")

    @Argument(help: "The float checkpoint (.h5).") var checkpoint: String
    @Option(help: "Output int8 checkpoint.") var out: String
    @Option(help: "static (calibrated activation scales, stored) or dynamic (per batch at run time).")
    var mode: QuantizationSettings.Mode = .static
    @Option(help: "How static scales are set: minmax or percentile.")
    var calibration: QuantizationSettings.Calibration = .minmax
    @Option(help: "Percentile calibration keeps [100 - p, p] percent of each layer's inputs; p in (50, 100].")
    var percentile: Double = 99.99
    @Option(help: "Training images used for calibration (static mode): the first N of a seeded shuffle.")
    var calibrationImages: Int = 512
    @Flag(help: "Also quantize the patch embedding (it sees raw pixels; off by default).")
    var quantizePatchEmbedding = false
    @Option(help: "Seed of the calibration shuffle.") var seed: UInt64 = 0
    @Flag(help: "Do not evaluate the int8 model on the test set (then /eval is left out).") var skipEval = false
    @OptionGroup var data: DataOptions

    private static let calibrationBatchSize = 64

    public func run() throws {
        let settings = try makeSettings()
        try OutputFile.prepare(out, inputs: [checkpoint])
        let parent = try Checkpoint.load(from: checkpoint)
        if (try? parent.stage(file: checkpoint))?.isQuantized == true || parent.hasInt8Weights {
            throw QuantizationError("\(checkpoint) is already int8: quantize its float parent instead")
        }
        let model = try parent.makeModel(file: checkpoint)
        let configJSON = try Self.adding(section: "quantization", settings, to: parent.string("config", file: checkpoint))
        printConfig(configJSON)

        let start = Date()
        var batches: [[Int]] = []
        var training = LabeledImages(pixels: [], labels: [])
        if settings.mode == .static {
            training = try data.load(seed: settings.seed, quiet: true).train
            guard settings.calibrationImages <= training.count else {
                throw QuantizationError("--calibration-images \(settings.calibrationImages) exceeds the "
                                        + "\(training.count) training images")
            }
            batches = Self.calibrationBatches(count: settings.calibrationImages, of: training, seed: settings.seed)
        }
        let loader = BatchLoader.evaluation(images: training, batchSize: Self.calibrationBatchSize,
                                            normalization: ChannelNormalization(mean: model.config.mean, std: model.config.std))
        var pixels = Tensor(zeros: [0]), labels: [Int32] = []
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: batches.count) { i in
            loader.makeBatch(indices: batches[i], epoch: 0, into: &pixels, labels: &labels)
            return pixels
        }

        var file = Checkpoint(model: model, stage: .int8, config: configJSON, seed: settings.seed,
                              command: CommandLine.arguments)
        // An int8 model is not trained further, so its masks go: its zeros are exact int8 zeros.
        // A pruned parent's file stays compressed (zeros cost next to nothing); a dense one's int8
        // weights barely deflate, and the chunk indexes would cost more than deflate saves.
        file.masks = [:]
        file.compressWeights = parent.compressWeights || !parent.masks.isEmpty
        file.storeQuantizedWeights(of: model)
        file.logs = parent.logs
        file.attributes["parent"] = .string(settings.parent ?? "")
        file.attributes["parent_sha256"] = .string(settings.parentSHA256 ?? "")
        file.attributes["quantization"] = .string(Self.json(settings))
        if !skipEval {
            // Through the int8 path itself: the accuracy recorded is the quantized model's.
            let result = try evaluate(model, on: try data.loadTest())
            print(describe(result))
            let counts = parent.eval["class_counts"]?.int64s?.map { Int($0) } ?? []
            file.storeEvaluation(result, model: model, classCounts: counts)
        }
        try file.save(to: out)

        let layers = model.parameters.filter { $0.quantized != nil }.count
        let (before, after) = (try Self.size(of: checkpoint), try Self.size(of: out))
        print(String(format: "quantized %d layers (%@%@) in %.1f s", layers, settings.mode.rawValue,
                     settings.mode == .static ? ", \(settings.calibration.rawValue) on \(settings.calibrationImages) images" : "",
                     Date().timeIntervalSince(start)))
        print(String(format: "wrote %@: %d bytes, %.1f%% of the parent file (%d bytes)", out, after,
                     100 * Double(after) / Double(max(1, before)), before))
    }

    private func makeSettings() throws -> QuantizationSettings {
        var settings = QuantizationSettings()
        settings.mode = mode
        settings.calibration = calibration
        settings.percentile = percentile
        settings.calibrationImages = calibrationImages
        settings.patchEmbedding = quantizePatchEmbedding
        settings.seed = seed
        try settings.validate()
        settings.parent = URL(fileURLWithPath: checkpoint).lastPathComponent
        settings.parentSHA256 = try Checkpoint.sha256(ofFile: checkpoint)
        return settings
    }

    /// The first `count` images of a seeded shuffle of the training set, in batches.
    static func calibrationBatches(count: Int, of images: LabeledImages, seed: UInt64) -> [[Int]] {
        let shuffled = BatchLoader(images: images, batchSize: images.count, augmentation: .none,
                                   normalization: ChannelNormalization(mean: [0, 0, 0], std: [1, 1, 1]),
                                   shuffle: true, dropLast: false, seed: seed).epoch(0).joined()
        let chosen = Array(shuffled.prefix(count))
        return stride(from: 0, to: chosen.count, by: calibrationBatchSize).map {
            Array(chosen[$0 ..< min(chosen.count, $0 + calibrationBatchSize)])
        }
    }

    /// The parent's config JSON with one more stage section.
    static func adding(section key: String, _ value: some Encodable, to json: String) throws -> String {
        var object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        object[key] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    private static func size(of path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }
}

extension QuantizationSettings.Mode: ExpressibleByArgument {}
extension QuantizationSettings.Calibration: ExpressibleByArgument {}
