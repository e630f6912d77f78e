/// The architecture of a ViT and the input normalisation it was trained with. Stored in
/// every checkpoint as JSON (snake_case keys), so a model can be rebuilt from its file alone.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// How images become tokens: ViT's patch embedding, or CCT's convolutions (ConvTokenizer).
    public enum Tokenizer: String, Codable, CaseIterable, Sendable { case patch, conv }
    /// cls: the class token; mean: the mean of the other tokens; seq: CCT's sequence pooling.
    public enum Pool: String, Codable, CaseIterable, Sendable { case cls, mean, seq }
    /// layer: timm's LayerNorm per token; batch: the course report's BatchNorm per channel over
    /// the batch's tokens, with running statistics for inference (BatchNorm, TokenNorm).
    public enum Norm: String, Codable, CaseIterable, Sendable { case layer, batch }

    public var imageSize = 32
    public var channels = 3
    public var tokenizer = Tokenizer.patch
    /// Patch tokenizer only.
    public var patchSize = 4
    /// Conv tokenizer only: the number of conv-ReLU-pool layers and the width between them
    /// (the last layer outputs `dim`).
    public var convLayers = 2
    public var convChannels = 64
    public var dim = 256
    public var depth = 6
    public var heads = 8
    public var mlpDim = 512
    public var numClasses = 10
    public var pool = Pool.cls
    /// Every norm of the encoder (norm1, norm2 of each block, the final norm). BatchNorm works
    /// with any pooling: a class token is one more row of its statistics.
    public var norm = Norm.layer
    public var dropout: Float = 0
    /// Stochastic depth: the last block's drop-path rate (block i of L gets dropPath * i / (L - 1)).
    public var dropPath: Float = 0
    public var distillationToken = false
    /// Heads kept in each block after structured pruning (nil: `heads` everywhere).
    public var blockHeads: [Int]?
    /// MLP width of each block after structured pruning (nil: `mlpDim` everywhere).
    public var blockMlpDims: [Int]?
    public var mean: [Float] = [0.4914, 0.4822, 0.4465]
    public var std: [Float] = [0.2470, 0.2435, 0.2616]

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", channels, tokenizer, patchSize = "patch_size"
        case convLayers = "conv_layers", convChannels = "conv_channels", dim, depth, heads
        case mlpDim = "mlp_dim", numClasses = "num_classes", pool, norm, dropout, dropPath = "drop_path"
        case distillationToken = "distillation_token", mean, std
        case blockHeads = "block_heads", blockMlpDims = "block_mlp_dims"
    }

    public init() {}

    public static let teacher = ModelConfig()
    public static let student: ModelConfig = {
        var config = ModelConfig()
        config.dim = 128
        config.depth = 4
        config.heads = 4
        config.mlpDim = 256
        return config
    }()

    /// CCT-6/3x2 with timm's blocks: 3.33M parameters.
    public static let cctTeacher: ModelConfig = {
        var config = ModelConfig()
        config.tokenizer = .conv
        config.convLayers = 2
        config.convChannels = 64
        config.dim = 256
        config.depth = 6
        config.heads = 4
        config.mlpDim = 512
        config.pool = .seq
        config.dropPath = 0.1
        return config
    }()

    /// CCT-4/3x2 (width 128, MLP ratio 1): 0.48M parameters, 1/6.9 of the CCT teacher.
    public static let cctStudent: ModelConfig = {
        var config = cctTeacher
        config.dim = 128
        config.depth = 4
        config.heads = 2
        config.mlpDim = 128
        return config
    }()

    public static let presetNames = ["teacher", "student", "cct-teacher", "cct-student"]

    public static func preset(named name: String) -> ModelConfig? {
        switch name {
        case "teacher": return .teacher
        case "student": return .student
        case "cct-teacher": return .cctTeacher
        case "cct-student": return .cctStudent
        default: return nil
        }
    }

    /// Tokens per side: S / P for patches; for convolutions S halved (rounding up) once per layer.
    public var gridSize: Int {
        switch tokenizer {
        case .patch: return imageSize / patchSize
        case .conv: return (0..<convLayers).reduce(imageSize) { size, _ in MaxPool.outputSize(size) }
        }
    }
    public var patchCount: Int { gridSize * gridSize }
    public var patchFeatures: Int { channels * patchSize * patchSize }
    public var prefixTokens: Int { (pool == .cls ? 1 : 0) + (distillationToken ? 1 : 0) }
    /// Where the distillation token sits, the token `head_dist` reads: after the class token (1),
    /// or first when there is none (0, with `pool` = mean or seq). Files written before this fix
    /// read token 1 whatever the pooling, so with mean or seq pooling their `head_dist` read the
    /// first image token, and no head read the distillation token.
    public var distillationTokenIndex: Int? { distillationToken ? prefixTokens - 1 : nil }
    public var tokens: Int { patchCount + prefixTokens }
    public var headWidth: Int { dim / heads }
    public func heads(inBlock block: Int) -> Int { blockHeads?[block] ?? heads }
    public func mlpDim(inBlock block: Int) -> Int { blockMlpDims?[block] ?? mlpDim }

    /// Throws a one-line error for an architecture that cannot be built.
    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        switch tokenizer {
        case .patch:
            if patchSize < 1 || imageSize % patchSize != 0 {
                try fail("patch size \(patchSize) must divide the image size \(imageSize)")
            }
        case .conv:
            if convLayers < 1 || convChannels < 1 {
                try fail("the conv tokenizer needs at least 1 layer and 1 channel, got \(convLayers) and \(convChannels)")
            }
        }
        if dim < 1 || heads < 1 || dim % heads != 0 {
            try fail("width \(dim) must be divisible by the number of heads \(heads)")
        }
        if depth < 1 { try fail("depth must be at least 1, got \(depth)") }
        if mlpDim < 1 { try fail("MLP width must be at least 1, got \(mlpDim)") }
        if numClasses < 2 { try fail("need at least 2 classes, got \(numClasses)") }
        if !(0..<1).contains(dropout) { try fail("dropout must be in [0, 1), got \(dropout)") }
        if !(0..<1).contains(dropPath) { try fail("drop_path must be in [0, 1), got \(dropPath)") }
        for (name, widths) in [("block_heads", blockHeads), ("block_mlp_dims", blockMlpDims)] {
            guard let widths else { continue }
            if widths.count != depth || widths.contains(where: { $0 < 1 }) {
                try fail("\(name) needs \(depth) positive values, got \(widths)")
            }
        }
        if let blockHeads, blockHeads.contains(where: { $0 > heads }) {
            try fail("block_heads \(blockHeads) cannot exceed heads \(heads)")
        }
        if mean.count != channels || std.count != channels || std.contains(where: { $0 <= 0 }) {
            try fail("mean and std need \(channels) values each, std positive")
        }
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
