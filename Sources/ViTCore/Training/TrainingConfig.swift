/// Every setting of a training run besides the architecture; stored in the checkpoint's
/// config JSON under "training" so that a run can be repeated or resumed exactly. The fields it
/// shares with `PretrainingConfig` are its `schedule`'s, read and written as its own
/// (`config.epochs`) and stored flat beside them.
@dynamicMemberLookup
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var schedule = TrainingSchedule()
    public var labelSmoothing: Float = 0.1
    public var loss = LossKind.ce
    public var ohemRatio: Float = 0.5
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
    /// Images per class of a balanced validation set drawn from the training images the
    /// long-tailed subset left out (`balancedValidation`); 0: none.
    public var validationPerClass = 0
    /// Evaluate on the test set every this many epochs (and after the last).
    public var evaluateEvery = 1
    /// The processes (MPI ranks) that trained it: the group of the process that makes the
    /// config, and a resumed run's own (any number can resume). Results do not depend on it.
    public var ranks = DataParallel.group.size
    /// The recipe file the settings came from (flags may have changed some); nil: none.
    public var recipe: RecipeReference?

    public subscript<T>(dynamicMember field: WritableKeyPath<TrainingSchedule, T>) -> T {
        get { schedule[keyPath: field] }
        set { schedule[keyPath: field] = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case labelSmoothing = "label_smoothing", loss, ohemRatio = "ohem_ratio", encoderLearningRateScale = "encoder_lr_scale"
        case logitAdjustmentTau = "logit_adjustment_tau", adjustFromEpoch = "adjust_from_epoch"
        case drwEpoch = "drw_epoch", drwBeta = "drw_beta", emaDecay = "ema_decay"
        case validationFraction = "validation_fraction", validationSeed = "validation_seed"
        case validationPerClass = "validation_per_class"
        case evaluateEvery = "eval_every"
        case augmentationSettings = "augment_settings"
        case ranks, recipe
    }

    public init() {}

    /// Keys written since the first checkpoints are optional, so older stored configs still decode
    /// (with the defaults, which reproduce how they were trained). A new field needs a line here.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schedule = try TrainingSchedule(from: decoder)
        labelSmoothing = try c.decode(Float.self, forKey: .labelSmoothing)
        loss = try c.decode(LossKind.self, forKey: .loss)
        ohemRatio = try c.decode(Float.self, forKey: .ohemRatio)
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
        validationPerClass = try c.decodeIfPresent(Int.self, forKey: .validationPerClass) ?? 0
        augmentationSettings = try c.decodeIfPresent(AugmentationSettings.self, forKey: .augmentationSettings)
        evaluateEvery = try c.decodeIfPresent(Int.self, forKey: .evaluateEvery) ?? defaults.evaluateEvery
        ranks = try c.decodeIfPresent(Int.self, forKey: .ranks) ?? 1
        recipe = try c.decodeIfPresent(RecipeReference.self, forKey: .recipe)
    }

    public func encode(to encoder: Encoder) throws {
        try schedule.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(labelSmoothing, forKey: .labelSmoothing)
        try c.encode(loss, forKey: .loss)
        try c.encode(ohemRatio, forKey: .ohemRatio)
        try c.encode(encoderLearningRateScale, forKey: .encoderLearningRateScale)
        try c.encodeIfPresent(augmentationSettings, forKey: .augmentationSettings)
        try c.encode(logitAdjustmentTau, forKey: .logitAdjustmentTau)
        try c.encode(adjustFromEpoch, forKey: .adjustFromEpoch)
        try c.encodeIfPresent(drwEpoch, forKey: .drwEpoch)
        try c.encode(drwBeta, forKey: .drwBeta)
        try c.encode(emaDecay, forKey: .emaDecay)
        try c.encode(validationFraction, forKey: .validationFraction)
        try c.encode(validationSeed, forKey: .validationSeed)
        if validationPerClass > 0 { try c.encode(validationPerClass, forKey: .validationPerClass) }
        try c.encode(evaluateEvery, forKey: .evaluateEvery)
        try c.encode(ranks, forKey: .ranks)
        try c.encodeIfPresent(recipe, forKey: .recipe)
    }

    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        try schedule.validate()
        if !(0..<1).contains(labelSmoothing) { try fail("label smoothing must be in [0, 1), got \(labelSmoothing)") }
        if !(ohemRatio > 0 && ohemRatio <= 1) { try fail("OHEM ratio must be in (0, 1], got \(ohemRatio)") }
        if schedule.imbalanceRatio < 1 { try fail("imbalance ratio must be at least 1, got \(schedule.imbalanceRatio)") }
        if !(logitAdjustmentTau >= 0 && logitAdjustmentTau.isFinite) {
            try fail("logit adjustment tau must be finite and not negative, got \(logitAdjustmentTau)")
        }
        if !(0..<schedule.epochs).contains(adjustFromEpoch) {
            try fail("adjust-from epoch must be in 0..<\(schedule.epochs) (epochs count from 0), got \(adjustFromEpoch)")
        }
        if adjustFromEpoch > 0, loss != .logitAdjusted, loss != .balancedSoftmax {
            try fail("adjust-from epoch needs loss logit-adjusted or balanced-softmax, got \(loss.rawValue)")
        }
        if let drwEpoch, !(0..<schedule.epochs).contains(drwEpoch) {
            try fail("DRW epoch must be in 0..<\(schedule.epochs) (epochs count from 0), got \(drwEpoch)")
        }
        if !(0..<1).contains(drwBeta) { try fail("DRW beta must be in [0, 1), got \(drwBeta)") }
        if !(0..<1).contains(emaDecay) { try fail("EMA decay must be in [0, 1) (0: off), got \(emaDecay)") }
        if !(0..<1).contains(validationFraction) {
            try fail("validation fraction must be in [0, 1) (0: no split), got \(validationFraction)")
        }
        if validationPerClass < 0 { try fail("validation images per class must not be negative, got \(validationPerClass)") }
        if validationPerClass > 0 && validationFraction > 0 {
            try fail("a validation fraction and validation images per class are two validation sets; choose one")
        }
        try augmentationSettings?.validate()
        if evaluateEvery < 1 { try fail("eval-every must be at least 1, got \(evaluateEvery)") }
    }
}

/// The recipe file a run was configured from: its name and the SHA-256 of its bytes.
public struct RecipeReference: Codable, Equatable, Sendable {
    public var name: String
    public var sha256: String

    public init(name: String, sha256: String) {
        (self.name, self.sha256) = (name, sha256)
    }
}
