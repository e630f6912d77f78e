import Foundation
import ViTCore

extension Checkpoint {
    /// Where an imported checkpoint came from: the `import` section of its config.
    public struct ImportSource: Codable, Equatable {
        /// The safetensors file's name (without its folder) and SHA-256.
        public var source: String
        public var sourceSHA256: String
        /// The element types the tensors were stored as (all become float32).
        public var dtypes: [String]
        /// Tensors dropped on purpose (see `isIgnoredOnImport`).
        public var ignored: [String]

        public init(source: String, sourceSHA256: String, dtypes: [String] = [], ignored: [String] = []) {
            self.source = source
            self.sourceSHA256 = sourceSHA256
            self.dtypes = dtypes
            self.ignored = ignored
        }

        enum CodingKeys: String, CodingKey {
            case source, sourceSHA256 = "source_sha256", dtypes, ignored
        }
    }

    /// State_dict entries that are not parameters and that vitc drops: BatchNorm's step counter
    /// `num_batches_tracked` (vitc's momentum is fixed, so nothing reads it).
    public static func isIgnoredOnImport(_ name: String) -> Bool {
        name.hasSuffix(".num_batches_tracked")
    }

    /// A checkpoint of stage `imported` from a state_dict read from safetensors (skipping the
    /// `isIgnoredOnImport` names, which may be integers): every parameter and buffer of `config`
    /// present under its timm name with exactly its shape, and nothing else; otherwise a one-line
    /// error naming `file`.
    public init(importing state: SafeTensors, config: ModelConfig, source: ImportSource, command: [String],
                file: String) throws {
        let expected = ParameterLayout.shapes(config) + ParameterLayout.bufferShapes(config)
        let known = Set(expected.map(\.0))
        func listed(_ names: [String]) -> String {
            names.prefix(4).joined(separator: ", ") + (names.count > 4 ? " and \(names.count - 4) more" : "")
        }
        let missing = expected.filter { state.tensors[$0.0] == nil }.map { "\($0.0) \($0.1)" }
        let unexpected = state.tensors.keys.filter { !known.contains($0) && !Self.isIgnoredOnImport($0) }.sorted()
        if !missing.isEmpty || !unexpected.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing " + listed(missing)) }
            if !unexpected.isEmpty { parts.append("unexpected " + listed(unexpected)) }
            // timm's default for global_pool="avg" normalises after pooling (fc_norm): vitc's mean
            // pooling normalises before, as timm does with fc_norm=False.
            let hint = unexpected.contains { $0.hasPrefix("fc_norm.") } ? " (timm's fc_norm: build the model with fc_norm=False)" : ""
            throw StoreError.architectureMismatch(file: file, detail: parts.joined(separator: "; ") + hint)
        }
        for (name, shape) in expected where state.tensors[name]!.shape != shape {
            throw StoreError.architectureMismatch(
                file: file, detail: "\(name) has shape \(state.tensors[name]!.shape), expected \(shape)")
        }
        var values: [String: Tensor] = [:]
        for (name, _) in expected { values[name] = state.tensors[name] }
        let model = try VisionTransformer(config: config, values: values)
        var imported = source
        imported.dtypes = Set(state.storedTypes.values.map(\.rawValue)).sorted()
        imported.ignored = (state.skipped + state.tensors.keys.filter(Self.isIgnoredOnImport)).sorted()
        var record = ModelRecord(stage: .imported, model: config, seed: 0)
        record.importSource = imported
        self.init(model: model, record: record, command: command)
        attributes["source"] = .string(imported.source)
        attributes["source_sha256"] = .string(imported.sourceSHA256)
    }
}
