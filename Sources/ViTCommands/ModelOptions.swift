import ArgumentParser
import ViTCore
import ViTStages

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

    /// The architecture flags given, as a recipe's architecture changes.
    public var architecture: Recipe.Architecture {
        var changes = Recipe.Architecture()
        (changes.tokenizer, changes.patchSize, changes.convLayers, changes.convChannels) = (tokenizer, patchSize, convLayers, convChannels)
        (changes.dim, changes.depth, changes.heads, changes.mlpDim) = (dim, depth, heads, mlpDim)
        (changes.pool, changes.norm, changes.dropout, changes.dropPath) = (pool, norm, dropout, dropPath)
        return changes
    }

    /// Whether any architecture flag was given (they conflict with --resume).
    public var overridesArchitecture: Bool { preset != nil || !architecture.isEmpty }

    /// The model of a new run: the flags over the recipe's architecture over its preset (the
    /// flag's, else the recipe's, else `defaultPreset`).
    public func config(recipe: Recipe? = nil, defaultPreset: String = "teacher") throws -> ModelConfig {
        var flags = Recipe.Values()
        (flags.preset, flags.architecture) = (preset, architecture)
        return try flags.overriding(recipe?.values ?? Recipe.Values()).modelConfig(defaultPreset: defaultPreset)
    }

    /// The preset named by --preset, else `defaultPreset`, without the other flags.
    public func presetConfig(defaultPreset: String = "teacher") throws -> ModelConfig {
        var named = Recipe.Values()
        named.preset = preset
        return try named.modelConfig(defaultPreset: defaultPreset)
    }

    /// `base` with every architecture flag given applied on top (vit-import's base is a config file).
    public func config(base: ModelConfig) throws -> ModelConfig { try architecture.applied(to: base) }
}

extension ModelConfig.Tokenizer: ExpressibleByArgument {}
extension ModelConfig.Norm: ExpressibleByArgument {}
