import ArgumentParser
import ViTCore

public struct TrainingOptions: ParsableArguments {
    @Option(help: "Training epochs (default 30; with --resume, the total to reach).") public var epochs: Int?
    @Option(help: "Batch size.") public var batchSize: Int = 128
    @Option(help: "Peak learning rate (AdamW).") public var lr: Float = 1e-3
    @Option(help: "Learning rate at the end of the cosine decay.") public var minLr: Float = 0
    @Option(help: "AdamW weight decay (not on biases, norms, embeddings, tokens).") public var weightDecay: Float = 0.05
    @Option(help: "Linear warm-up epochs.") public var warmupEpochs: Int = 5
    @Option(help: "Label smoothing.") public var labelSmoothing: Float = 0.1
    @Option(help: "Clip the global gradient norm at this value (0 = off).") public var clipNorm: Float = 1
    @Option(help: "Loss: ce, weighted-ce, ohem or balanced-softmax.") public var loss: LossKind = .ce
    @Option(help: "Fraction of the batch OHEM keeps.") public var ohemRatio: Float = 0.5
    @Option(help: "Matrix-product precision: f32 or bf16 (bf16 keeps f32 master weights).")
    public var precision: Precision = .f32
    @Option(help: "Seed for initialisation, data order, augmentation, dropout and the long-tailed subset.")
    public var seed: UInt64 = 0

    public init() {}

    public func config(data: DataOptions) throws -> TrainingConfig {
        var config = TrainingConfig()
        config.epochs = epochs ?? 30
        config.batchSize = batchSize
        config.learningRate = lr
        config.minimumLearningRate = minLr
        config.weightDecay = weightDecay
        config.warmupEpochs = warmupEpochs
        config.labelSmoothing = labelSmoothing
        config.clipNorm = clipNorm
        config.loss = loss
        config.ohemRatio = ohemRatio
        config.precision = precision
        config.seed = seed
        config.augmentation = data.augment
        config.imbalanceRatio = data.imbalanceRatio
        do { try config.validate() } catch { throw ConfigError(message: "\(error)") }
        return config
    }
}
