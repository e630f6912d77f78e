/// Every setting of a pre-training run besides the architecture; stored in the checkpoint's
/// config JSON under "pretraining". The fields it shares with `TrainingConfig` are its
/// `schedule`'s, read and written as its own (`config.epochs`) and stored flat beside them.
@dynamicMemberLookup
public struct PretrainingConfig: Codable, Equatable, Sendable {
    public enum Objective: String, Codable, Sendable {
        /// The course report's: reconstruct the whole image from all patch tokens.
        case image
        /// MAE/SimMIM-style: reconstruct the masked patches, scored on them alone.
        case masked
    }

    public var objective = Objective.image
    public var maskRatio: Float = 0
    public var schedule = TrainingSchedule()
    /// The processes (MPI ranks) that trained it (see `TrainingConfig.ranks`); nil in files
    /// written before it was recorded.
    public var ranks: Int? = DataParallel.group.size

    public subscript<T>(dynamicMember field: WritableKeyPath<TrainingSchedule, T>) -> T {
        get { schedule[keyPath: field] }
        set { schedule[keyPath: field] = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case objective, maskRatio = "mask_ratio", ranks
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        objective = try c.decode(Objective.self, forKey: .objective)
        maskRatio = try c.decode(Float.self, forKey: .maskRatio)
        schedule = try TrainingSchedule(from: decoder)
        ranks = try c.decodeIfPresent(Int.self, forKey: .ranks)
    }

    public func encode(to encoder: Encoder) throws {
        try schedule.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(objective, forKey: .objective)
        try c.encode(maskRatio, forKey: .maskRatio)
        try c.encodeIfPresent(ranks, forKey: .ranks)
    }

    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        if !(0..<1).contains(maskRatio) { try fail("mask ratio must be in [0, 1), got \(maskRatio)") }
        if (objective == .masked) != (maskRatio > 0) {
            try fail("objective \(objective.rawValue) does not fit mask ratio \(maskRatio)")
        }
        try schedule.validate()
        if schedule.imbalanceRatio < 1 { try fail("imbalance ratio must be at least 1, got \(schedule.imbalanceRatio)") }
    }
}
