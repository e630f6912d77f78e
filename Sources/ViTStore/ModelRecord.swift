import Foundation
import ViTCore

/// How a model was made, in one typed value: its architecture, the settings of each stage it
/// went through, and the files it came from. The root attributes `stage`, `config` (JSON),
/// `seed`, `parent`/`parent_sha256`, `teacher`/`teacher_sha256` and `quantization` are views of
/// it, read by `init(checkpoint:file:)` and written by `write(into:)` (or `Checkpoint(model:record:command:)`);
/// nothing else writes or parses config JSON.
public struct ModelRecord: Equatable {
    /// A file this one came from: its name (without folder, as recorded) and SHA-256.
    public struct Source: Equatable {
        public var name: String
        public var sha256: String
        public init(name: String, sha256: String) {
            self.name = name
            self.sha256 = sha256
        }
    }

    public var stage: Stage
    public var model: ModelConfig
    public var training: TrainingConfig?
    public var pretraining: PretrainingConfig?
    public var distillation: DistillationSettings?
    public var pruning: PruningConfig?
    public var quantization: QuantizationSettings?
    public var importSource: Checkpoint.ImportSource?
    /// Config keys the record does not type ("compute", a later version's sections),
    /// as JSON text, so that a child's config keeps them.
    public var otherKeys: [String: String] = [:]
    public var parent: Source?
    public var teacher: Source?
    public var seed: UInt64

    public init(stage: Stage, model: ModelConfig, seed: UInt64) {
        self.stage = stage
        self.model = model
        self.seed = seed
    }

    /// The sections this record types, by their config key.
    private static let typedSections: Set<String> = ["training", "pretraining", "distillation", "pruning",
                                                                  "quantization", "import"]

    /// The record of a loaded checkpoint (format version 1, any vitc version's).
    public init(checkpoint: Checkpoint, file: String) throws {
        let json = try checkpoint.string("config", file: file)
        self.init(stage: try checkpoint.stage(file: file), model: try ConfigJSON.decodeModel(json, file: file),
                  seed: 0)
        training = try ConfigJSON.decodeSection(TrainingConfig.self, key: "training", from: json, file: file)
        pretraining = try ConfigJSON.decodeSection(PretrainingConfig.self, key: "pretraining", from: json, file: file)
        distillation = try ConfigJSON.decodeSection(DistillationSettings.self, key: "distillation", from: json, file: file)
        pruning = try ConfigJSON.decodeSection(PruningConfig.self, key: "pruning", from: json, file: file)
        importSource = try ConfigJSON.decodeSection(Checkpoint.ImportSource.self, key: "import", from: json, file: file)
        // Quantization settings are stored twice: the config's section, and (first) a root attribute.
        if case .string(let text)? = checkpoint.attributes["quantization"] {
            quantization = try ConfigJSON.decodeSection(QuantizationSettings.self, key: "quantization",
                                                        from: "{\"quantization\":\(text)}", file: file)
        } else {
            quantization = try ConfigJSON.decodeSection(QuantizationSettings.self, key: "quantization", from: json, file: file)
        }
        let modelKeys = Set(Self.object(of: model).keys)
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        for (key, value) in object where !modelKeys.contains(key) && !Self.typedSections.contains(key) {
            let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
            otherKeys[key] = String(decoding: data, as: UTF8.self)
        }
        if case .int(let value)? = checkpoint.attributes["seed"] { seed = UInt64(truncatingIfNeeded: value) }
        parent = Self.source(checkpoint, "parent")
        teacher = Self.source(checkpoint, "teacher")
    }

    /// The `config` attribute: the model's fields at the top level and one object per section.
    public var configJSON: String {
        var sections: [String: any Encodable] = [:]
        if let training { sections["training"] = training }
        if let pretraining { sections["pretraining"] = pretraining }
        if let distillation { sections["distillation"] = distillation }
        if let pruning { sections["pruning"] = pruning }
        if let quantization { sections["quantization"] = quantization }
        if let importSource { sections["import"] = importSource }
        var object = (try? JSONSerialization.jsonObject(with: Data(ConfigJSON.encode(model: model, sections: sections).utf8)))
            as? [String: Any] ?? [:]
        for (key, text) in otherKeys where object[key] == nil {
            object[key] = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Records a section of a type this target does not know (the compute settings) under `key`.
    public mutating func setOtherSection(_ key: String, _ value: some Encodable) {
        otherKeys[key] = ConfigJSON.sortedJSON(value)
    }

    /// Writes the record's attributes (stage, config, seed, lineage, quantization) into `checkpoint`.
    public func write(into checkpoint: inout Checkpoint) {
        checkpoint.attributes["stage"] = .string(stage.rawValue)
        checkpoint.attributes["config"] = .string(configJSON)
        checkpoint.attributes["seed"] = .int(Int(truncatingIfNeeded: seed))
        for (key, source) in [("parent", parent), ("teacher", teacher)] {
            guard let source else { continue }
            checkpoint.attributes[key] = .string(source.name)
            checkpoint.attributes[key + "_sha256"] = .string(source.sha256)
        }
        if let quantization { checkpoint.attributes["quantization"] = .string(ConfigJSON.sortedJSON(quantization)) }
    }

    private static func source(_ checkpoint: Checkpoint, _ key: String) -> Source? {
        guard case .string(let name)? = checkpoint.attributes[key] else { return nil }
        guard case .string(let hash)? = checkpoint.attributes[key + "_sha256"] else { return Source(name: name, sha256: "") }
        return Source(name: name, sha256: hash)
    }

    private static func object(of model: ModelConfig) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(ConfigJSON.encode(model: model).utf8))) as? [String: Any] ?? [:]
    }
}
