import ArgumentParser
import ViTCore
import ViTStages

extension PrecisionChoice: ExpressibleByArgument {}

public struct TrainingOptions: ParsableArguments {
    @Option(help: "Training epochs (default 30; with --resume, the total to reach).") public var epochs: Int?
    @Option(help: "Batch size.") public var batchSize: Int = 128
    @Option(help: "Peak learning rate (AdamW).") public var lr: Float = 1e-3
    @Option(help: "Learning rate at the end of the cosine decay.") public var minLr: Float = 0
    @Option(help: "AdamW weight decay (not on biases, norms, embeddings, tokens).") public var weightDecay: Float = 0.05
    @Option(help: "Linear warm-up epochs.") public var warmupEpochs: Int = 5
    @Option(help: "Label smoothing.") public var labelSmoothing: Float = 0.1
    @Option(help: "Clip the global gradient norm at this value (0 = off).") public var clipNorm: Float = 1
    @Option(help: "Loss: ce, weighted-ce, ohem, balanced-softmax or logit-adjusted (training logits + tau log prior).")
    public var loss: LossKind = .ce
    @Option(help: "tau of --loss logit-adjusted (1 = balanced softmax).") public var logitTau: Float = 1
    @Option(help: "Deferred logit adjustment: plain CE before this epoch (0-based), the adjusted loss from it.")
    public var adjustFromEpoch: Int = 0
    @Option(help: "Deferred re-weighting: class-balanced (effective-number) loss weights from this epoch (0-based) on.")
    public var drwEpoch: Int?
    @Option(help: "beta of the effective-number weights of --drw-epoch.") public var drwBeta: Double = 0.9999
    @Option(help: "Evaluate and save an exponential moving average of the weights with this decay (0 = off).")
    public var ema: Float = 0
    @Option(help: "Evaluate on the test set every N epochs (and after the last).") public var evalEvery: Int = 1
    @Option(help: ArgumentHelp("Hold out this share of each training class (at least 5 images) as a validation split; "
                               + "the post-hoc logit adjustment's tau is chosen on it, never on the test set."))
    public var validationFraction: Double = 0
    @Option(help: "Image policy before the crop: none, auto-augment (CIFAR-10 policy), rand-augment or trivial-augment.")
    public var policy: AugmentationPolicy = .none
    @Option(help: "Probability of random erasing per image (0 = off).") public var randomErasing: Float = 0
    @Option(help: "Mixup alpha (0 = off).") public var mixup: Float = 0
    @Option(help: "CutMix alpha (0 = off); with --mixup, each batch picks one at even odds.") public var cutmix: Float = 0
    @Option(help: "Stop Mixup/CutMix from this epoch (0-based) on.") public var mixOffEpoch: Int?
    @Option(help: "Fraction of the batch OHEM keeps.") public var ohemRatio: Float = 0.5
    @Option(help: ArgumentHelp(precisionHelp)) public var precision: PrecisionChoice = .auto
    @Option(help: "Also write TensorBoard event files (scalars per step and per epoch) into this folder.")
    public var tensorboard: String?
    @Option(help: "Seed for initialisation, data order, augmentation, dropout and the long-tailed subset.")
    public var seed: UInt64 = 0

    public init() {}

    /// --precision resolved on this CPU: throws one line for bf16 without native support.
    public func compute() throws -> ComputeSettings { try ComputeSettings(precision, training: true) }

    /// The precision a resumed run continues in: the file's, unless --precision names another.
    /// A bf16 run cannot continue in bf16 on a CPU without native bf16: that is refused.
    public func resumedCompute(stored: Precision) throws -> ComputeSettings {
        try ComputeSettings.resumed(precision, stored: stored)
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
        config.logitAdjustmentTau = logitTau
        config.adjustFromEpoch = adjustFromEpoch
        config.drwEpoch = drwEpoch
        config.drwBeta = drwBeta
        config.emaDecay = ema
        config.evaluateEvery = evalEvery
        config.validationFraction = validationFraction
        config.validationSeed = seed
        let settings = AugmentationSettings(policy: policy, randomErasing: randomErasing, mixup: mixup, cutmix: cutmix,
                                            mixOffEpoch: mixOffEpoch)
        config.augmentationSettings = settings == .none ? nil : settings
        config.precision = try compute().precision
        config.seed = seed
        config.augmentation = data.augment
        config.imbalanceRatio = data.imbalanceRatio
        do { try config.validate() } catch { throw ConfigError(message: "\(error)") }
        return config
    }
}
