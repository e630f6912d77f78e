import Foundation
import ViTCore
import ViTStore

/// The checkpoint vit-prune starts from, checked to be a float model, with what its pruned
/// children record about it and the training set its fine-tuning should see.
struct PruneParent {
    let path: String
    let checkpoint: Checkpoint
    let sha256: String
    /// How the parent was made; a child's record starts from it.
    let record: ModelRecord
    /// The parent's seed: it drew the long-tailed subset the parent was trained on.
    let seed: UInt64
    /// The imbalance ratio of the parent's training set (1 when its settings do not say).
    let imbalanceRatio: Double

    init(path: String) throws {
        self.path = path
        checkpoint = try Checkpoint.load(from: path)
        // Pruning ranks float weights; an int8 file has lost them to its scales.
        let stage = try checkpoint.stage(file: path)
        if stage.isQuantized || checkpoint.weights.values.contains(where: { $0.elementType != .float32 }) {
            throw ConfigError(message: "\(path): already quantized (stage \(stage)); prune the float checkpoint it came from")
        }
        record = try ModelRecord(checkpoint: checkpoint, file: path)
        _ = try checkpoint.makeModel(file: path)  // fail here, before any output folder is made
        sha256 = try Checkpoint.sha256(ofFile: path)
        seed = record.seed
        imbalanceRatio = record.training?.imbalanceRatio ?? 1
    }

    /// A fresh copy of the parent's model (each level of a sweep prunes its own).
    func makeModel() throws -> VisionTransformer {
        try checkpoint.makeModel(file: path)
    }

    /// The child's record: its architecture, the parent's stage sections (training, distillation, ...),
    /// "pruning" (replacing the parent's, if it was pruned before), this file as its parent, and no
    /// teacher (the parent's teacher did not teach the child).
    func childRecord(model: ModelConfig, pruning: PruningConfig) -> ModelRecord {
        var child = record
        child.stage = .pruned
        child.model = model
        child.pruning = pruning
        child.parent = ModelRecord.Source(name: (path as NSString).lastPathComponent, sha256: sha256)
        child.teacher = nil
        return child
    }
}
