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

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", learningRate = "lr", minimumLearningRate = "min_lr"
        case weightDecay = "weight_decay", warmupEpochs = "warmup_epochs", labelSmoothing = "label_smoothing"
        case clipNorm = "clip_norm", loss, ohemRatio = "ohem_ratio", precision, augmentation = "augment"
        case imbalanceRatio = "imbalance_ratio", seed, encoderLearningRateScale = "encoder_lr_scale"
        case augmentationSettings = "augment_settings"
    }

    public init() {}

    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("batch size must be at least 1, got \(batchSize)") }
        if !(learningRate > 0) { try fail("learning rate must be positive, got \(learningRate)") }
        if warmupEpochs < 0 { try fail("warm-up epochs must not be negative, got \(warmupEpochs)") }
        if !(0..<1).contains(labelSmoothing) { try fail("label smoothing must be in [0, 1), got \(labelSmoothing)") }
        if !(ohemRatio > 0 && ohemRatio <= 1) { try fail("OHEM ratio must be in (0, 1], got \(ohemRatio)") }
        if imbalanceRatio < 1 { try fail("imbalance ratio must be at least 1, got \(imbalanceRatio)") }
        try augmentationSettings?.validate()
    }
}
