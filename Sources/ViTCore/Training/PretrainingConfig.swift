/// Every setting of a pre-training run besides the architecture; stored in the checkpoint's
/// config JSON under "pretraining".
public struct PretrainingConfig: Codable, Equatable, Sendable {
    public enum Objective: String, Codable, Sendable {
        /// The course report's: reconstruct the whole image from all patch tokens.
        case image
        /// MAE/SimMIM-style: reconstruct the masked patches, scored on them alone.
        case masked
    }

    public var objective = Objective.image
    public var maskRatio: Float = 0
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
    /// The processes (MPI ranks) that trained it (see `TrainingConfig.ranks`); nil in files
    /// written before it was recorded.
    public var ranks: Int? = DataParallel.group.size

    enum CodingKeys: String, CodingKey {
        case objective, maskRatio = "mask_ratio", epochs, batchSize = "batch_size", learningRate = "lr"
        case minimumLearningRate = "min_lr", weightDecay = "weight_decay", warmupEpochs = "warmup_epochs"
        case clipNorm = "clip_norm", precision, augmentation = "augment", imbalanceRatio = "imbalance_ratio", seed
        case ranks
    }

    public init() {}

    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        if !(0..<1).contains(maskRatio) { try fail("mask ratio must be in [0, 1), got \(maskRatio)") }
        if (objective == .masked) != (maskRatio > 0) {
            try fail("objective \(objective.rawValue) does not fit mask ratio \(maskRatio)")
        }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if batchSize < 1 { try fail("batch size must be at least 1, got \(batchSize)") }
        if !(learningRate > 0) { try fail("learning rate must be positive, got \(learningRate)") }
        if warmupEpochs < 0 { try fail("warm-up epochs must not be negative, got \(warmupEpochs)") }
        if imbalanceRatio < 1 { try fail("imbalance ratio must be at least 1, got \(imbalanceRatio)") }
    }
}
