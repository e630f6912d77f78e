import ArgumentParser
import ViTCore

public struct ModelOptions: ParsableArguments {
    @Option(help: "Architecture preset: teacher (3.2M parameters) or student (0.55M); default: the command's.")
    public var preset: String?
    @Option(help: "Patch size (must divide 32).") public var patchSize: Int?
    @Option(help: "Token width.") public var dim: Int?
    @Option(help: "Number of blocks.") public var depth: Int?
    @Option(help: "Attention heads (must divide the width).") public var heads: Int?
    @Option(help: "MLP hidden width.") public var mlpDim: Int?
    @Option(help: "Pooling: cls (class token) or mean (mean of patch tokens, no class token).")
    public var pool: ModelConfig.Pool?
    @Option(help: "Dropout rate.") public var dropout: Float?

    public init() {}

    /// Whether any architecture flag was given (they conflict with --resume).
    public var overridesArchitecture: Bool {
        preset != nil || patchSize != nil || dim != nil || depth != nil || heads != nil || mlpDim != nil || pool != nil || dropout != nil
    }

    public func config(defaultPreset: String = "teacher") throws -> ModelConfig {
        let name = preset ?? defaultPreset
        guard var config = ModelConfig.preset(named: name) else {
            throw ConfigError(message: "unknown preset '\(name)' (expected teacher or student)")
        }
        if let patchSize { config.patchSize = patchSize }
        if let dim { config.dim = dim }
        if let depth { config.depth = depth }
        if let heads { config.heads = heads }
        if let mlpDim { config.mlpDim = mlpDim }
        if let pool { config.pool = pool }
        if let dropout { config.dropout = dropout }
        try config.validate()
        return config
    }
}
