/// Every setting of a training run besides the architecture; stored in the checkpoint's
/// config JSON under "training" so that a run can be repeated or resumed exactly.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var epochs = 30
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    public var minimumLearningRate: Float = 0
    public var weightDecay: Float = 0.05
    public var warmupEpochs = 5
    public var labelSmoothing: Float = 0.1
    public var clipNorm: Float = 1
    public var loss = LossKind.ce
    public var ohemRatio: Float = 0.5
    public var precision = Precision.f32
    public var augmentation = Augmentation.cropFlip
    public var imbalanceRatio: Double = 1
    public var seed: UInt64 = 0
    /// Learning-rate factor for encoder parameters when fine-tuning from a pre-trained file.
    public var encoderLearningRateScale: Float = 1
    /// Policy, random erasing and mixing on top of `augmentation`; nil (as in configs stored
    /// before it existed) means none of them.
    public var augmentationSettings: AugmentationSettings?

    // Long-tail remedies and averaging (issue 11). Epochs count from 0, as in Trainer.
    /// tau of the logit-adjusted loss.
    public var logitAdjustmentTau: Float = 1
    /// The first epoch whose logits get the prior (logit-adjusted, balanced-softmax); CE before.
    public var adjustFromEpoch = 0
    /// The first epoch of deferred re-weighting; nil: none.
    public var drwEpoch: Int?
    public var drwBeta: Double = 0.9999
    /// Decay of the weights' exponential moving average; 0: no average.
    public var emaDecay: Float = 0
    /// Share of each class held out for choosing tau and epochs; 0: no validation split.
    public var validationFraction: Double = 0
    public var validationSeed: UInt64 = 0
    /// Evaluate on the test set every this many epochs (and after the last).
    public var evaluateEvery = 1
    /// The processes (MPI ranks) that trained it: the group of the process that makes the
    /// config, and a resumed run's own (any number can resume). Results do not depend on it.
    public var ranks = DataParallel.group.size

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", learningRate = "lr", minimumLearningRate = "min_lr"
        case weightDecay = "weight_decay", warmupEpochs = "warmup_epochs", labelSmoothing = "label_smoothing"
        case clipNorm = "clip_norm", loss, ohemRatio = "ohem_ratio", precision, augmentation = "augment"
        case imbalanceRatio = "imbalance_ratio", seed, encoderLearningRateScale = "encoder_lr_scale"
        case logitAdjustmentTau = "logit_adjustment_tau", adjustFromEpoch = "adjust_from_epoch"
        case drwEpoch = "drw_epoch", drwBeta = "drw_beta", emaDecay = "ema_decay"
        case validationFraction = "validation_fraction", validationSeed = "validation_seed"
        case evaluateEvery = "eval_every"
        case augmentationSettings = "augment_settings"
        case ranks
    }

    public init() {}

    /// Keys written since the first checkpoints are optional, so older stored configs still decode
    /// (with the defaults, which reproduce how they were trained). A new field needs a line here.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        minimumLearningRate = try c.decode(Float.self, forKey: .minimumLearningRate)
        weightDecay = try c.decode(Float.self, forKey: .weightDecay)
        warmupEpochs = try c.decode(Int.self, forKey: .warmupEpochs)
        labelSmoothing = try c.decode(Float.self, forKey: .labelSmoothing)
        clipNorm = try c.decode(Float.self, forKey: .clipNorm)
        loss = try c.decode(LossKind.self, forKey: .loss)
        ohemRatio = try c.decode(Float.self, forKey: .ohemRatio)
        precision = try c.decode(Precision.self, forKey: .precision)
        augmentation = try c.decode(Augmentation.self, forKey: .augmentation)
        imbalanceRatio = try c.decode(Double.self, forKey: .imbalanceRatio)
        seed = try c.decode(UInt64.self, forKey: .seed)
        encoderLearningRateScale = try c.decode(Float.self, forKey: .encoderLearningRateScale)
        let defaults = TrainingConfig()
        logitAdjustmentTau = try c.decodeIfPresent(Float.self, forKey: .logitAdjustmentTau) ?? defaults.logitAdjustmentTau
        adjustFromEpoch = try c.decodeIfPresent(Int.self, forKey: .adjustFromEpoch) ?? defaults.adjustFromEpoch
        drwEpoch = try c.decodeIfPresent(Int.self, forKey: .drwEpoch) ?? defaults.drwEpoch
        drwBeta = try c.decodeIfPresent(Double.self, forKey: .drwBeta) ?? defaults.drwBeta
        emaDecay = try c.decodeIfPresent(Float.self, forKey: .emaDecay) ?? defaults.emaDecay
        validationFraction = try c.decodeIfPresent(Double.self, forKey: .validationFraction)
            ?? defaults.validationFraction
        validationSeed = try c.decodeIfPresent(UInt64.self, forKey: .validationSeed) ?? defaults.validationSeed
        augmentationSettings = try c.decodeIfPresent(AugmentationSettings.self, forKey: .augmentationSettings)
        evaluateEvery = try c.decodeIfPresent(Int.self, forKey: .evaluateEvery) ?? defaults.evaluateEvery
        ranks = try c.decodeIfPresent(Int.self, forKey: .ranks) ?? 1
    }

    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("batch size must be at least 1, got \(batchSize)") }
        if !(learningRate > 0) { try fail("learning rate must be positive, got \(learningRate)") }
        if warmupEpochs < 0 { try fail("warm-up epochs must not be negative, got \(warmupEpochs)") }
        if !(0..<1).contains(labelSmoothing) { try fail("label smoothing must be in [0, 1), got \(labelSmoothing)") }
        if !(ohemRatio > 0 && ohemRatio <= 1) { try fail("OHEM ratio must be in (0, 1], got \(ohemRatio)") }
        if imbalanceRatio < 1 { try fail("imbalance ratio must be at least 1, got \(imbalanceRatio)") }
        if !(logitAdjustmentTau >= 0 && logitAdjustmentTau.isFinite) {
            try fail("logit adjustment tau must be finite and not negative, got \(logitAdjustmentTau)")
        }
        if !(0..<epochs).contains(adjustFromEpoch) {
            try fail("adjust-from epoch must be in 0..<\(epochs) (epochs count from 0), got \(adjustFromEpoch)")
        }
        if adjustFromEpoch > 0, loss != .logitAdjusted, loss != .balancedSoftmax {
            try fail("adjust-from epoch needs loss logit-adjusted or balanced-softmax, got \(loss.rawValue)")
        }
        if let drwEpoch, !(0..<epochs).contains(drwEpoch) {
            try fail("DRW epoch must be in 0..<\(epochs) (epochs count from 0), got \(drwEpoch)")
        }
        if !(0..<1).contains(drwBeta) { try fail("DRW beta must be in [0, 1), got \(drwBeta)") }
        if !(0..<1).contains(emaDecay) { try fail("EMA decay must be in [0, 1) (0: off), got \(emaDecay)") }
        if !(0..<1).contains(validationFraction) {
            try fail("validation fraction must be in [0, 1) (0: no split), got \(validationFraction)")
        }
        try augmentationSettings?.validate()
        if evaluateEvery < 1 { try fail("eval-every must be at least 1, got \(evaluateEvery)") }
    }
}
