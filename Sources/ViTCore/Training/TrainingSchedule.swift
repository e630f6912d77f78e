/// The settings every training run has, supervised or not: epochs, batches and the
/// learning-rate schedule, AdamW's decay, clipping, precision, the training images and the seed.
/// `TrainingConfig` and `PretrainingConfig` hold one each and store its fields flat, beside their
/// own, under the keys below; `EpochPlan` reads it the same way for both.
public struct TrainingSchedule: Codable, Equatable, Sendable {
    public var epochs = 30
    public var batchSize = 128
    public var learningRate: Float = 1e-3
    public var minimumLearningRate: Float = 0
    public var weightDecay: Float = 0.05
    public var warmupEpochs = 5
    public var clipNorm: Float = 1
    public var precision = Precision.f32
    public var augmentation = Augmentation.cropFlip
    public var imbalanceRatio: Double = 1
    public var seed: UInt64 = 0

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", learningRate = "lr", minimumLearningRate = "min_lr"
        case weightDecay = "weight_decay", warmupEpochs = "warmup_epochs", clipNorm = "clip_norm", precision
        case augmentation = "augment", imbalanceRatio = "imbalance_ratio", seed
    }

    public init() {}

    /// The checks both configs make of these fields.
    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("batch size must be at least 1, got \(batchSize)") }
        if !(learningRate > 0) { try fail("learning rate must be positive, got \(learningRate)") }
        if warmupEpochs < 0 { try fail("warm-up epochs must not be negative, got \(warmupEpochs)") }
    }
}
