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
    @Option(help: ArgumentHelp(precisionHelp)) public var precision: PrecisionChoice = .auto
    @Option(help: "Seed for initialisation, data order, augmentation, dropout and the long-tailed subset.")
    public var seed: UInt64 = 0

    public init() {}

    /// --precision resolved on this CPU: throws one line for bf16 without native support.
    public func compute() throws -> ComputeSettings { try ComputeSettings(precision, training: true) }

    /// The precision a resumed run continues in: the file's, unless --precision names another.
    /// A bf16 run cannot continue in bf16 on a CPU without native bf16: that is refused.
    public func resumedCompute(stored: Precision) throws -> ComputeSettings {
        if precision != .auto { return try compute() }
        do {
            return try ComputeSettings(PrecisionChoice(stored), training: true)
        } catch {
            throw PrecisionError(message: "this run trains in \(stored.rawValue), which needs native bf16 and oneDNN runs "
                + "\(CPUCapabilities.current.isa) here: add --precision f32 to continue it in f32")
        }
    }

    /// The settings of a new run; the precision is resolved on this CPU (see `compute`).
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
        config.precision = try compute().precision
        config.seed = seed
        config.augmentation = data.augment
        config.imbalanceRatio = data.imbalanceRatio
        do { try config.validate() } catch { throw ConfigError(message: "\(error)") }
        return config
    }
}
