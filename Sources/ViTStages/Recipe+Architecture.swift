import ViTCore

extension Recipe {
    /// Changes to a preset's architecture, with the training commands' architecture flags as keys
    /// ("dim", "depth", "heads", "mlp-dim", "pool", ...), so that a recipe or a plan's step can
    /// describe a model no preset names. Every value is optional: nil leaves the preset's.
    public struct Architecture: Equatable, Sendable {
        public var tokenizer: ModelConfig.Tokenizer?
        public var patchSize: Int?
        public var convLayers: Int?
        public var convChannels: Int?
        public var dim: Int?
        public var depth: Int?
        public var heads: Int?
        public var mlpDim: Int?
        public var pool: ModelConfig.Pool?
        public var norm: ModelConfig.Norm?
        public var dropout: Float?
        public var dropPath: Float?

        public init() {}

        public static let keys = ["tokenizer", "patch-size", "conv-layers", "conv-channels", "dim", "depth", "heads",
                                  "mlp-dim", "pool", "norm", "dropout", "drop-path"]

        public var isEmpty: Bool { self == Architecture() }

        /// These values where given, else `base`'s.
        public func overriding(_ base: Architecture) -> Architecture {
            var merged = self
            merged.tokenizer = tokenizer ?? base.tokenizer
            merged.patchSize = patchSize ?? base.patchSize
            merged.convLayers = convLayers ?? base.convLayers
            merged.convChannels = convChannels ?? base.convChannels
            merged.dim = dim ?? base.dim
            merged.depth = depth ?? base.depth
            merged.heads = heads ?? base.heads
            merged.mlpDim = mlpDim ?? base.mlpDim
            merged.pool = pool ?? base.pool
            merged.norm = norm ?? base.norm
            merged.dropout = dropout ?? base.dropout
            merged.dropPath = dropPath ?? base.dropPath
            return merged
        }

        /// `base` with every given value applied, checked (a head count that does not divide the
        /// width, say, is a one-line error).
        public func applied(to base: ModelConfig) throws -> ModelConfig {
            var config = base
            if let tokenizer { config.tokenizer = tokenizer }
            if let patchSize { config.patchSize = patchSize }
            if let convLayers { config.convLayers = convLayers }
            if let convChannels { config.convChannels = convChannels }
            if let dim { config.dim = dim }
            if let depth { config.depth = depth }
            if let heads { config.heads = heads }
            if let mlpDim { config.mlpDim = mlpDim }
            if let pool { config.pool = pool }
            if let norm { config.norm = norm }
            if let dropout { config.dropout = dropout }
            if let dropPath { config.dropPath = dropPath }
            // A setting of the other tokenizer would be ignored in silence: say so instead.
            if config.tokenizer == .conv, let patchSize {
                throw ConfigError(message: "patch size \(patchSize) applies to the patch tokenizer, and this model's is conv "
                                  + "(a cct preset): give tokenizer patch or another preset")
            }
            if config.tokenizer == .patch, convLayers != nil || convChannels != nil {
                throw ConfigError(message: "conv layers and channels apply to the conv tokenizer, and this model's is patch: "
                                  + "give tokenizer conv or a cct preset")
            }
            try config.validate()
            return config
        }

        /// Reads `field` when its key is an architecture key; false for any other key.
        mutating func read(_ field: SettingsField) throws -> Bool {
            switch field.key {
            case "tokenizer": tokenizer = try field.named(ModelConfig.Tokenizer.self)
            case "patch-size": patchSize = try field.integer()
            case "conv-layers": convLayers = try field.integer()
            case "conv-channels": convChannels = try field.integer()
            case "dim": dim = try field.integer()
            case "depth": depth = try field.integer()
            case "heads": heads = try field.integer()
            case "mlp-dim": mlpDim = try field.integer()
            case "pool": pool = try field.named(ModelConfig.Pool.self)
            case "norm": norm = try field.named(ModelConfig.Norm.self)
            case "dropout": dropout = Float(try field.real())
            case "drop-path": dropPath = Float(try field.real())
            default: return false
            }
            return true
        }
    }
}

extension Recipe.Values {
    /// The model these values describe: `preset` (or `defaultPreset` when they name none) with the
    /// architecture changes applied.
    public func modelConfig(defaultPreset: String) throws -> ModelConfig {
        let name = preset ?? defaultPreset
        guard let base = ModelConfig.preset(named: name) else {
            throw ConfigError(message: "unknown preset '\(name)' (expected \(ModelConfig.presetNames.joined(separator: ", ")))")
        }
        return try architecture.applied(to: base)
    }
}
