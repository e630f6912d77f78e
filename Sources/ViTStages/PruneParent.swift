import Foundation
import ViTCore
import ViTStore

/// The checkpoint vit-prune starts from, checked to be a float model, with what its pruned
/// children record about it and the training set its fine-tuning should see.
struct PruneParent {
    let path: String
    let checkpoint: Checkpoint
    let sha256: String
    let configJSON: String
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
        configJSON = try checkpoint.string("config", file: path)
        _ = try checkpoint.makeModel(file: path)  // fail here, before any output folder is made
        sha256 = try Checkpoint.sha256(ofFile: path)
        if case .int(let value)? = checkpoint.attributes["seed"] { seed = UInt64(truncatingIfNeeded: value) } else { seed = 0 }
        let sections = Self.object(configJSON)
        imbalanceRatio = ["training", "distillation"].lazy
            .compactMap { (sections?[$0] as? [String: Any])?["imbalance_ratio"] as? Double }.first ?? 1
    }

    /// A fresh copy of the parent's model (each level of a sweep prunes its own).
    func makeModel() throws -> VisionTransformer {
        try checkpoint.makeModel(file: path)
    }

    /// The child's config: its architecture, the parent's stage sections (training, distillation, ...)
    /// for the record, and "pruning" (replacing the parent's, if it was pruned before).
    func childConfig(model: ModelConfig, pruning: PruningConfig) -> String {
        let own = ConfigJSON.encode(model: model, sections: ["pruning": pruning])
        guard var object = Self.object(own), let parent = Self.object(configJSON) else { return own }
        for (key, value) in parent where value is [String: Any] && object[key] == nil { object[key] = value }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return own }
        return String(decoding: data, as: UTF8.self)
    }

    private static func object(_ json: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
    }
}
