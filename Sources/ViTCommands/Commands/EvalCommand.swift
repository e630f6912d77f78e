import ArgumentParser
import Foundation
import ViTCore
import ViTStages
import ViTStore

public struct EvalCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-eval",
        abstract: "Evaluate a vitc checkpoint on the balanced CIFAR-10 test set.")

    @Argument(help: "The checkpoint (.h5).") var checkpoint: String
    @Option(help: "CIFAR-10 binary directory (default: $VITC_DATA, else data/cifar-10-batches-bin).")
    var data: String?
    @Option(help: ArgumentHelp("Matrix-product precision: auto (bf16 where the CPU computes it natively, else f32), "
                               + "f32 or bf16. An int8 checkpoint's quantized layers run int8 whatever this says."))
    var precision: PrecisionChoice = .auto
    @Option(help: "Batch size.") var batchSize: Int = 256
    @Option(help: ArgumentHelp("Use only the first N test images.", visibility: .hidden)) var limitTest: Int?
    @Flag(help: "Print one JSON object instead of the report.") var json = false
    @Option(help: ArgumentHelp("Also write a copy of the checkpoint holding this evaluation and no optimizer "
                               + "state (for sharing: the models/ files are made this way)."))
    var out: String?
    @Flag(help: ArgumentHelp("Choose the post-hoc logit adjustment of a run trained with --validation-fraction "
                             + "again, on its validation split, and write the refitted model to --out (also for a "
                             + "checkpoint of such a run still training, to compare epochs on the split)."))
    var refitPosthoc = false
    @Option(help: "With --refit-posthoc: log-loss (balanced log loss, the default) or accuracy (balanced accuracy).")
    var posthocCriterion: PostHocCriterion = .logLoss
    @Option(help: ArgumentHelp("With --refit-posthoc: the first N training images, as the run used.", visibility: .hidden))
    var limitTrain: Int?
    @Option(help: ArgumentHelp("Fold the post-hoc tau that FILE's run chose on its validation split into this model "
                               + "(one trained on all images) and write it to --out.", valueName: "FILE"))
    var posthocTauFrom: String?

    public func validate() throws {
        if posthocTauFrom != nil && out == nil { throw ValidationError("--posthoc-tau-from writes a new file: add --out") }
        if posthocTauFrom != nil && (refitPosthoc || json) {
            throw ValidationError("--posthoc-tau-from goes alone: drop --refit-posthoc and --json")
        }
        if refitPosthoc && out == nil { throw ValidationError("--refit-posthoc writes a new file: add --out") }
        if refitPosthoc && json { throw ValidationError("--refit-posthoc prints its own report; drop --json") }
    }

    public func run() throws {
        let compute = try ComputeSettings(precision, training: false)
        if !json { print(compute.summary) }
        if refitPosthoc, let out {
            var data = DataSource(directory: CIFAR10.resolveDirectory(flag: self.data))
            data.limitTrain = limitTrain
            data.limitTest = limitTest
            var settings = PostHocSettings(checkpoint: checkpoint, output: out, data: data)
            settings.command = CommandLine.arguments
            settings.criterion = posthocCriterion
            try refitPostHocAdjustment(settings, compute: compute)
            return
        }
        if let source = posthocTauFrom, let out {
            var data = DataSource(directory: CIFAR10.resolveDirectory(flag: self.data))
            data.limitTest = limitTest
            try transferPostHocTau(from: source, to: checkpoint, output: out, data: data, compute: compute,
                                   command: CommandLine.arguments)
            return
        }
        var settings = EvaluateSettings(checkpoint: checkpoint, data: DataSource(directory: CIFAR10.resolveDirectory(flag: data)))
        settings.data.limitTest = limitTest
        settings.batchSize = batchSize
        settings.copy = out
        let evaluation = try evaluateCheckpoint(settings, compute: compute)
        let (loaded, result, model, precision) = (evaluation.loaded, evaluation.result, evaluation.loaded.model,
                                                  compute.precision)
        let parameters = model.parameterCount, nonzero = model.nonzeroParameterCount
        let sparsity = SparsityReport(model: model)
        let products = model.isQuantized ? "int8" : precision.rawValue  // int8 layers ignore --precision
        if json {
            let object: [String: Any] = [
                "checkpoint": checkpoint, "stage": loaded.stage.rawValue, "accuracy": result.accuracy,
                "per_class_accuracy": result.perClassAccuracy, "head_accuracy": result.head,
                "medium_accuracy": result.medium, "tail_accuracy": result.tail,
                "confusion": result.confusion, "params": parameters, "nonzero_params": nonzero,
                "bytes": loaded.bytesOnDisk, "images_per_second": result.imagesPerSecond,
                "precision": products, "isa": compute.isa,
                "sparsity": sparsity.total, "layer_sparsity": sparsity.layerFractions,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("\(checkpoint): stage \(loaded.stage.rawValue)")
        print(describe(result))
        print("parameters: \(parameters) (\(nonzero) non-zero), \(loaded.bytesOnDisk) bytes on disk")
        print(sparsity.description)
        print(String(format: "speed: %.0f images/s", result.imagesPerSecond)
              + " (\(products) matrix products, batch \(batchSize))")
    }
}

extension PostHocCriterion: ExpressibleByArgument {}
