import ArgumentParser
import Foundation
import ViTCore
import ViTStages

public struct PretrainCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-pretrain",
        abstract: "Pre-train a ViT encoder without labels by reconstructing the training images.",
        discussion: "The encoder's patch tokens go through a small decoder (ConvTranspose2d with kernel = stride = "
            + "patch size, GELU, 3x3 Conv2d, tanh) that reconstructs the image scaled to [-1, 1] (the course "
            + "report's design); the loss is the mean squared error. With --mask-ratio R > 0, a fraction R of "
            + "each image's patches is replaced by a learned mask token and the loss counts those patches only. "
            + "Only the training images are read (the long-tailed subset with --imbalance-ratio), never labels "
            + "or the test set. Fine-tune with: vit-train --init FILE --encoder-lr-scale 0.01.")

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions

    @Option(help: "Pre-training epochs.") var epochs: Int = 30
    @Option(help: "Batch size.") var batchSize: Int = 128
    @Option(help: "Peak learning rate (AdamW).") var lr: Float = 1e-3
    @Option(help: "Learning rate at the end of the cosine decay.") var minLr: Float = 0
    @Option(help: "AdamW weight decay (not on biases, norms, embeddings, tokens).") var weightDecay: Float = 0.05
    @Option(help: "Linear warm-up epochs.") var warmupEpochs: Int = 5
    @Option(help: "Clip the global gradient norm at this value (0 = off).") var clipNorm: Float = 1
    @Option(help: ArgumentHelp(precisionHelp)) var precision: PrecisionChoice = .auto
    @Option(help: "Seed for initialisation, data order, augmentation, dropout, masks and the long-tailed subset.")
    var seed: UInt64 = 0
    @Option(help: "Fraction of patches masked and reconstructed, in [0, 1); 0 reconstructs the whole image.")
    var maskRatio: Float = 0
    @Option(help: "Output file (stage \"pretrained\": encoder, untrained head, decoder).")
    var out: String = "models/pretrained.h5"

    public func validate() throws {
        do { try settings(precision: .f32).validate() } catch let error as ConfigError { throw ValidationError(error.message) }
    }

    func settings(precision: Precision) -> PretrainingConfig {
        var config = PretrainingConfig()
        config.objective = maskRatio > 0 ? .masked : .image
        config.maskRatio = maskRatio
        config.epochs = epochs
        config.batchSize = batchSize
        config.learningRate = lr
        config.minimumLearningRate = minLr
        config.weightDecay = weightDecay
        config.warmupEpochs = warmupEpochs
        config.clipNorm = clipNorm
        config.precision = precision
        config.augmentation = data.augment
        config.imbalanceRatio = data.imbalanceRatio ?? 1
        config.seed = seed
        return config
    }

    public func run() throws {
        var settings = PretrainSettings(model: try model.config(defaultPreset: "teacher"),
                                        pretraining: settings(precision: .f32), data: try data.source(), output: out)
        settings.precision = precision
        settings.command = CommandLine.arguments
        try reportingInterruption("vit-pretrain", output: out, continueWith: nil) { try pretrain(settings) }
    }
}
