// The ViT (timm's VisionTransformer layout, with CCT's conv tokenizer and sequence pooling as options).
//   images [B, C, S, S] -> image tokens [B, G*G, D] (ImageTokenizer)
//   -> x = [cls?, dist?, image tokens] + pos_embed: [B, N, D]  (N = prefix + G*G)
//   -> blocks -> norm -> pooled [B, D] (TokenPooling: cls token, mean, or seq) -> head: [B, K]
//   With a distillation token, head_dist reads token 1; inference averages the two heads.

public struct ModelCache {
    var encoder: TokenCache
    var pooling: SequencePoolingCache?
    var pooled: Tensor
    var distilled: Tensor?
    var batch: Int
}

public struct ModelOutput {
    /// [B, K]: the class head (the mean of both heads at inference when there is a distillation token).
    public var logits: Tensor
    /// [B, K]: the distillation head's logits during training, when the model has one.
    public var distillationLogits: Tensor?
    public var cache: ModelCache?
}

public final class VisionTransformer {
    public let config: ModelConfig
    /// Every parameter, in a fixed order (the order of `ParameterLayout.names`).
    public let parameters: [Parameter]
    public let byName: [String: Parameter]
    /// BatchNorm's running statistics (ParameterLayout.bufferShapes; empty for LayerNorm models):
    /// saved in /weights and averaged by --ema like the weights, but never seen by the optimizer,
    /// gradient clipping, pruning or quantization, which all take `parameters`.
    public let buffers: [Parameter]

    let tokenizer: ImageTokenizer
    let blocks: [Block]
    let norm: TokenNorm
    let pooling: TokenPooling
    let head: Linear
    let headDistillation: Linear?
    let classToken: Parameter?
    let distillationToken: Parameter?
    let positionEmbedding: Parameter

    /// A new model with timm's initialisation, drawn from `seed`.
    public convenience init(config: ModelConfig, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let values = ParameterLayout.initialValues(config, generator: &generator)
        try self.init(config: config, values: values)
    }

    /// A model from named values (a checkpoint); every name must be present with its shape.
    public init(config: ModelConfig, values: [String: Tensor]) throws {
        try config.validate()
        self.config = config
        var parameters: [Parameter] = []
        var byName: [String: Parameter] = [:]
        for (name, shape) in ParameterLayout.shapes(config) {
            guard let value = values[name] else { throw ConfigError(message: "missing weight \(name)") }
            guard value.shape == shape else {
                throw ConfigError(message: "weight \(name) has shape \(value.shape), expected \(shape)")
            }
            let parameter = Parameter(name: name, value: value, decays: ParameterLayout.decays(name))
            parameters.append(parameter)
            byName[name] = parameter
        }
        var buffers: [String: Parameter] = [:]
        for (name, shape) in ParameterLayout.bufferShapes(config) {
            guard let value = values[name] else { throw ConfigError(message: "missing buffer \(name)") }
            guard value.shape == shape else {
                throw ConfigError(message: "buffer \(name) has shape \(value.shape), expected \(shape)")
            }
            buffers[name] = Parameter(name: name, value: value, decays: false)
        }
        self.parameters = parameters
        self.byName = byName
        self.buffers = ParameterLayout.bufferShapes(config).map { buffers[$0.0]! }
        func linear(_ prefix: String) -> Linear { Linear(weight: byName[prefix + ".weight"]!, bias: byName[prefix + ".bias"]) }
        func layerNorm(_ prefix: String) -> TokenNorm {
            let (gamma, beta) = (byName[prefix + ".weight"]!, byName[prefix + ".bias"]!)
            switch config.norm {
            case .layer: return .layer(LayerNorm(gamma: gamma, beta: beta))
            case .batch: return .batch(BatchNorm(gamma: gamma, beta: beta, runningMean: buffers[prefix + ".running_mean"]!,
                                                 runningVariance: buffers[prefix + ".running_var"]!))
            }
        }
        switch config.tokenizer {
        case .patch:
            tokenizer = .patch(PatchEmbedding(projection: linear("patch_embed.proj"), patchSize: config.patchSize,
                                              channels: config.channels))
        case .conv:
            tokenizer = .conv(ConvTokenizer(weights: (0..<config.convLayers).map { byName["tokenizer.conv_layers.\($0).0.weight"]! }))
        }
        blocks = (0..<config.depth).map { i in
            let prefix = "blocks.\(i)"
            return Block(norm1: layerNorm(prefix + ".norm1"),
                         attention: Attention(qkv: linear(prefix + ".attn.qkv"), proj: linear(prefix + ".attn.proj"),
                                              heads: config.heads(inBlock: i), headWidth: config.headWidth),
                         norm2: layerNorm(prefix + ".norm2"), fc1: linear(prefix + ".mlp.fc1"),
                         fc2: linear(prefix + ".mlp.fc2"), dropout: config.dropout,
                         dropPath: DropPath.rate(block: i, depth: config.depth, maximum: config.dropPath))
        }
        norm = layerNorm("norm")
        pooling = TokenPooling(kind: config.pool, prefixTokens: config.prefixTokens,
                               sequence: config.pool == .seq ? SequencePooling(score: linear("attention_pool")) : nil)
        head = linear("head")
        headDistillation = config.distillationToken ? linear("head_dist") : nil
        classToken = byName["cls_token"]
        distillationToken = byName["dist_token"]
        positionEmbedding = byName["pos_embed"]!
    }

    /// What a state_dict holds: the parameters, then the buffers (what checkpoints and --ema keep).
    public var parametersAndBuffers: [Parameter] { parameters + buffers }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    public var nonzeroParameterCount: Int {
        parameters.reduce(0) { total, p in total + p.value.data.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }

    public func zeroGradients() {
        for parameter in parameters { parameter.gradient.fill(0) }
    }

    /// `dropoutSeed` nil means evaluation (no dropout, no drop-path); `keepCache` is needed only for backward.
    /// `rows`: which rows of a global batch `images` are (see `forwardTokens`); nil: all of it.
    public func forward(_ images: Tensor, precision: Precision = .f32, keepCache: Bool = false,
                        dropoutSeed: UInt64? = nil, rows: BatchRows? = nil) -> ModelOutput {
        if !keepCache && isSmallInference(batch: images.shape[0], precision: precision) {
            return singleThreaded {
                forwardOnWorkers(images, precision: precision, keepCache: false, dropoutSeed: dropoutSeed, rows: rows)
            }
        }
        return forwardOnWorkers(images, precision: precision, keepCache: keepCache, dropoutSeed: dropoutSeed, rows: rows)
    }

    /// Whether inference on `batch` images is too little work to share between threads: under
    /// about 500M multiply-adds counted at int8's speed (f32 costs 4 times as much, bf16 twice).
    /// Measured on 2 cores: one thread wins for the teacher's int8 batches up to 2 and the
    /// student's up to 4 (f32: the student's up to 4, not the teacher's batch 1).
    public func isSmallInference(batch: Int, precision: Precision) -> Bool {
        let costFactor = isQuantized ? 1 : (precision == .bf16 ? 2 : 4)
        return batch * config.tokens * parameterCount * costFactor < 500_000_000
    }

    private func forwardOnWorkers(_ images: Tensor, precision: Precision, keepCache: Bool,
                                  dropoutSeed: UInt64?, rows: BatchRows?) -> ModelOutput {
        let batch = images.shape[0]
        let (normed, encoderCache) = forwardTokens(images, precision: precision, keepCache: keepCache,
                                                   dropoutSeed: dropoutSeed, rows: rows)
        let (pooled, poolingCache) = pooling.forward(normed, keepCache: keepCache)
        var logits = head.forward(pooled, precision: precision)
        var distilled: Tensor?
        var distillationLogits: Tensor?
        if let headDistillation {
            let token = TokenPooling.gatherToken(normed, index: config.distillationTokenIndex!)
            let second = headDistillation.forward(token, precision: precision)
            if keepCache {
                distilled = token
                distillationLogits = second
            } else {
                for i in 0..<logits.count { logits.data[i] = 0.5 * (logits.data[i] + second.data[i]) }
            }
        }
        let cache = encoderCache.map {
            ModelCache(encoder: $0, pooling: poolingCache, pooled: pooled, distilled: distilled, batch: batch)
        }
        return ModelOutput(logits: logits, distillationLogits: distillationLogits, cache: cache)
    }

    /// Adds the gradients of every parameter for the loss whose logit gradients are given.
    public func backward(dLogits: Tensor, dDistillationLogits: Tensor? = nil, cache: ModelCache,
                         precision: Precision = .f32) {
        let batch = cache.batch, width = config.dim, tokens = config.tokens
        let dPooled = head.backward(dLogits, input: cache.pooled, precision: precision)!
        var dNormed = pooling.backward(dPooled, cache: cache.pooling, tokens: tokens)
        if let headDistillation, let dDistillationLogits, let distilled = cache.distilled {
            let dToken = headDistillation.backward(dDistillationLogits, input: distilled, precision: precision)!
            let index = config.distillationTokenIndex!
            for b in 0..<batch {
                for d in 0..<width { dNormed.data[(b * tokens + index) * width + d] += dToken.data[b * width + d] }
            }
        }
        backwardTokens(dNormed, cache: cache.encoder, precision: precision)
    }

    /// See `updateRunningStatistics(_: TokenCache)`: call once per training step.
    public func updateRunningStatistics(_ cache: ModelCache) {
        updateRunningStatistics(cache.encoder)
    }
}
