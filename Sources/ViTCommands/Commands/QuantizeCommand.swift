import ArgumentParser
import Foundation
import ViTCore
import ViTStages
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

    public func run() throws {
        var settings = QuantizationSettings()
        settings.mode = mode
        settings.calibration = calibration
        settings.percentile = percentile
        settings.calibrationImages = calibrationImages
        settings.patchEmbedding = quantizePatchEmbedding
        settings.seed = seed
        var stage = QuantizeSettings(parent: checkpoint, output: out, quantization: settings, data: try data.source())
        stage.command = CommandLine.arguments
        stage.skipEvaluation = skipEval
        try ViTStages.quantize(stage)
    }
}

extension QuantizationSettings.Mode: ExpressibleByArgument {}
extension QuantizationSettings.Calibration: ExpressibleByArgument {}
