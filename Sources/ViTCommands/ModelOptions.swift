import ArgumentParser
import ViTCore

public struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Architecture preset: teacher (plain ViT, 3,195,146 parameters, 0.22 GMACs per image), "
                               + "student (546,186, 0.039 GMACs), cct-teacher (conv tokenizer 3-64-256, seq pool, drop-path 0.1: "
                               + "3,331,531, 0.25 GMACs) or cct-student (3-64-128: 483,659, 0.050 GMACs); default: the command's."))
    public var preset: String?
    @Option(help: "Tokenizer: patch (ViT's patch embedding) or conv (CCT's conv-ReLU-max-pool layers).")
    public var tokenizer: ModelConfig.Tokenizer?
    @Option(help: "Patch size (must divide 32).") public var patchSize: Int?
    @Option(help: "Conv tokenizer layers (each halves the image side).") public var convLayers: Int?
    @Option(help: "Conv tokenizer width between its layers.") public var convChannels: Int?
    @Option(help: "Token width.") public var dim: Int?
    @Option(help: "Number of blocks.") public var depth: Int?
    @Option(help: "Attention heads (must divide the width).") public var heads: Int?
    @Option(help: "MLP hidden width.") public var mlpDim: Int?
    @Option(help: "Pooling: cls (class token), mean (mean of the tokens, no class token) or seq (CCT's sequence pooling, no class token).")
    public var pool: ModelConfig.Pool?
    @Option(help: "Normalisation: layer (timm's LayerNorm per token) or batch (the course report's BatchNorm per channel over the batch's tokens, running statistics at inference; usually with --pool mean).")
    public var norm: ModelConfig.Norm?
    @Option(help: "Dropout rate.") public var dropout: Float?
    @Option(help: "Stochastic depth: the last block's drop-path rate (rising linearly from 0 at the first block).")
    public var dropPath: Float?

    public init() {}

    /// Whether any architecture flag was given (they conflict with --resume).
    public var overridesArchitecture: Bool {
        preset != nil || patchSize != nil || dim != nil || depth != nil || heads != nil || mlpDim != nil || pool != nil || norm != nil
            || dropout != nil || tokenizer != nil || convLayers != nil || convChannels != nil || dropPath != nil
    }

    public func config(defaultPreset: String = "teacher") throws -> ModelConfig {
        try config(base: presetConfig(defaultPreset: defaultPreset))
    }

    /// The preset named by --preset, else `defaultPreset`, without the other flags.
    public func presetConfig(defaultPreset: String = "teacher") throws -> ModelConfig {
        let name = preset ?? defaultPreset
        guard let config = ModelConfig.preset(named: name) else {
            throw ConfigError(message: "unknown preset '\(name)' (expected \(ModelConfig.presetNames.joined(separator: ", ")))")
        }
        return config
    }

    /// `base` with every architecture flag given applied on top (vit-import's base is a config file).
    public func config(base: ModelConfig) throws -> ModelConfig {
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
        try config.validate()
        return config
    }
}

extension ModelConfig.Tokenizer: ExpressibleByArgument {}
extension ModelConfig.Norm: ExpressibleByArgument {}
