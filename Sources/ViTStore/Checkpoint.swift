/// The vitc checkpoint: one HDF5 file per training, pruning or quantization stage.
///
/// Layout (a contract with the Python tools that read these files):
/// root attributes `format` = "vitc", `format_version` = 1, plus `attributes`;
/// groups /weights, /masks, /optimizer, /logs, /eval holding one dataset per dotted name,
/// with dots as slashes: "blocks.3.attn.qkv.weight" lives at /weights/blocks/3/attn/qkv/weight.
public struct Checkpoint: Equatable {
    public static let format = "vitc"
    public static let formatVersion = 1

    /// Root attributes besides format and format_version: stage, config (JSON), seed, command, created, ...
    public var attributes: [String: AttributeValue]
    /// Parameters by timm dotted name, shaped [out, in] like PyTorch.
    public var weights: [String: StoredArray]
    /// Pruning masks, named like the weights they mask.
    public var masks: [String: StoredArray]
    /// Optimizer state, e.g. "m.blocks.0.attn.qkv.weight" and "step".
    public var optimizer: [String: StoredArray]
    /// 1-D columns, one entry per epoch: epoch, train_loss, ...
    public var logs: [String: StoredArray]
    /// Evaluation results: accuracy, per_class_accuracy, confusion, ...
    public var eval: [String: StoredArray]
    /// Chunk and deflate /weights and /masks, so pruned models shrink on disk. On load it is
    /// true when any weight or mask was stored compressed (scalars and empty arrays never are).
    public var compressWeights: Bool

    public init(attributes: [String: AttributeValue] = [:], weights: [String: StoredArray] = [:],
                masks: [String: StoredArray] = [:], optimizer: [String: StoredArray] = [:],
                logs: [String: StoredArray] = [:], eval: [String: StoredArray] = [:],
                compressWeights: Bool = false) {
        self.attributes = attributes
        self.weights = weights
        self.masks = masks
        self.optimizer = optimizer
        self.logs = logs
        self.eval = eval
        self.compressWeights = compressWeights
    }

    /// Hex SHA-256 of a file, recorded in a child checkpoint to name its parent or teacher.
    public static func sha256(ofFile path: String) throws -> String {
        try SHA256.hexDigest(ofFile: path)
    }

    static let reservedAttributes: Set<String> = ["format", "format_version"]

    /// The array groups, in the order they are written.
    static let groups: [(name: String, arrays: WritableKeyPath<Checkpoint, [String: StoredArray]>)] = [
        ("weights", \.weights), ("masks", \.masks), ("optimizer", \.optimizer), ("logs", \.logs), ("eval", \.eval),
    ]

    /// "blocks.3.attn.qkv.weight" in group "weights" -> "/weights/blocks/3/attn/qkv/weight".
    static func datasetPath(group: String, name: String, file: String) throws -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && !$0.contains("/") }) else {
            throw StoreError.invalidName(file: file, name: name, reason: "needs non-empty dot-separated parts without \"/\"")
        }
        return "/\(group)/" + parts.joined(separator: "/")
    }

    /// The inverse of `datasetPath`. Names come from paths, never from listing order,
    /// because HDF5 lists blocks/10 before blocks/2.
    static func dottedName(ofDatasetAt path: String, group: String) -> String {
        path.dropFirst(group.count + 2).replacingOccurrences(of: "/", with: ".")
    }
}
