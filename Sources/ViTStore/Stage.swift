/// Where a checkpoint stands in the chain, stored as the root attribute `stage`. The one place
/// stage names are spelled: everything else compares these cases.
public enum Stage: String, CaseIterable, Codable, Sendable {
    case teacher, student, pruned, int8
    /// An encoder pre-trained without labels (vit-pretrain), the start of a teacher.
    case pretrained
    /// A model trained elsewhere and brought in by vit-import.
    case imported
    /// A run of a study (plans/studies/), outside the reference chain.
    case study

    /// The reference chain, in its order (reports and plots list files so).
    public static let chain: [Stage] = [.teacher, .student, .pruned, .int8]

    /// Position in `chain`; every other stage comes after it, all at one rank.
    public var chainRank: Int { Stage.chain.firstIndex(of: self) ?? Stage.chain.count }

    /// Files of this stage hold int8 weights and run int8 products.
    public var isQuantized: Bool { self == .int8 }
}

extension Checkpoint {
    /// The file's stage: a missing or unknown name is an error naming the file.
    public func stage(file: String) throws -> Stage {
        let name = try string("stage", file: file)
        guard let stage = Stage(rawValue: name) else {
            throw StoreError.unknownStage(file: file, name: name)
        }
        return stage
    }
}
