// The ViT (timm's VisionTransformer layout).
//   images [B, C, S, S] -> patch tokens [B, G*G, D]
//   -> x = [cls?, dist?, patches] + pos_embed: [B, N, D]  (N = prefix + G*G)
//   -> blocks -> norm -> pooled [B, D] (cls token, or mean of patch tokens) -> head: [B, K]
//   With a distillation token, head_dist reads token 1; inference averages the two heads.

public struct ModelCache {
    var encoder: TokenCache
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

    let patchEmbedding: PatchEmbedding
    let blocks: [Block]
    let norm: LayerNorm
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
        self.parameters = parameters
        self.byName = byName
        func linear(_ prefix: String) -> Linear { Linear(weight: byName[prefix + ".weight"]!, bias: byName[prefix + ".bias"]) }
        func layerNorm(_ prefix: String) -> LayerNorm { LayerNorm(gamma: byName[prefix + ".weight"]!, beta: byName[prefix + ".bias"]!) }
        patchEmbedding = PatchEmbedding(projection: linear("patch_embed.proj"), patchSize: config.patchSize,
                                        channels: config.channels)
        blocks = (0..<config.depth).map { i in
            let prefix = "blocks.\(i)"
            return Block(norm1: layerNorm(prefix + ".norm1"),
                         attention: Attention(qkv: linear(prefix + ".attn.qkv"), proj: linear(prefix + ".attn.proj"),
                                              heads: config.heads(inBlock: i), headWidth: config.headWidth),
                         norm2: layerNorm(prefix + ".norm2"), fc1: linear(prefix + ".mlp.fc1"),
                         fc2: linear(prefix + ".mlp.fc2"), dropout: config.dropout)
        }
        norm = layerNorm("norm")
        head = linear("head")
        headDistillation = config.distillationToken ? linear("head_dist") : nil
        classToken = byName["cls_token"]
        distillationToken = byName["dist_token"]
        positionEmbedding = byName["pos_embed"]!
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    public var nonzeroParameterCount: Int {
        parameters.reduce(0) { total, p in total + p.value.data.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
    }

    public func zeroGradients() {
        for parameter in parameters { parameter.gradient.fill(0) }
    }

    /// `dropoutSeed` nil means evaluation (no dropout); `keepCache` is needed only for backward.
    public func forward(_ images: Tensor, precision: Precision = .f32, keepCache: Bool = false,
                        dropoutSeed: UInt64? = nil) -> ModelOutput {
        if !keepCache && isSmallInference(batch: images.shape[0], precision: precision) {
            return singleThreaded { forwardOnWorkers(images, precision: precision, keepCache: false, dropoutSeed: dropoutSeed) }
        }
        return forwardOnWorkers(images, precision: precision, keepCache: keepCache, dropoutSeed: dropoutSeed)
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
                                  dropoutSeed: UInt64?) -> ModelOutput {
        let batch = images.shape[0], width = config.dim, tokens = config.tokens
        let (normed, encoderCache) = forwardTokens(images, precision: precision, keepCache: keepCache,
                                                   dropoutSeed: dropoutSeed)
        let pooled = pool(normed, batch: batch, tokens: tokens, width: width)
        var logits = head.forward(pooled, precision: precision)
        var distilled: Tensor?
        var distillationLogits: Tensor?
        if let headDistillation {
            let token = gatherToken(normed, index: 1, batch: batch, tokens: tokens, width: width)
            let second = headDistillation.forward(token, precision: precision)
            if keepCache {
                distilled = token
                distillationLogits = second
            } else {
                for i in 0..<logits.count { logits.data[i] = 0.5 * (logits.data[i] + second.data[i]) }
            }
        }
        let cache = encoderCache.map { ModelCache(encoder: $0, pooled: pooled, distilled: distilled, batch: batch) }
        return ModelOutput(logits: logits, distillationLogits: distillationLogits, cache: cache)
    }

    /// Adds the gradients of every parameter for the loss whose logit gradients are given.
    public func backward(dLogits: Tensor, dDistillationLogits: Tensor? = nil, cache: ModelCache,
                         precision: Precision = .f32) {
        let batch = cache.batch, width = config.dim, tokens = config.tokens
        let dPooled = head.backward(dLogits, input: cache.pooled, precision: precision)!
        var dNormed = Tensor(zeros: [batch, tokens, width])
        unpool(dPooled, into: &dNormed, batch: batch, tokens: tokens, width: width)
        if let headDistillation, let dDistillationLogits, let distilled = cache.distilled {
            let dToken = headDistillation.backward(dDistillationLogits, input: distilled, precision: precision)!
            for b in 0..<batch {
                for d in 0..<width { dNormed.data[(b * tokens + 1) * width + d] += dToken.data[b * width + d] }
            }
        }
        backwardTokens(dNormed, cache: cache.encoder, precision: precision)
    }

    // MARK: tokens

    /// [B, G*G, D] -> [B, N, D] with prefix tokens and the position embedding added.
    func assembleTokens(_ patchTokens: Tensor, batch: Int) -> Tensor {
        let width = config.dim, tokens = config.tokens, prefix = config.prefixTokens
        var x = Tensor(uninitialized: [batch, tokens, width])
        let prefixValues = [classToken, distillationToken].compactMap { $0?.value.data }
        positionEmbedding.value.data.withUnsafeBufferPointer { pos in
            patchTokens.data.withUnsafeBufferPointer { source in
                x.data.withUnsafeMutableBufferPointer { target in
                    for b in 0..<batch {
                        for t in 0..<tokens {
                            let out = target.baseAddress! + (b * tokens + t) * width
                            let position = pos.baseAddress! + t * width
                            if t < prefix {
                                for d in 0..<width { out[d] = prefixValues[t][d] + position[d] }
                            } else {
                                let from = source.baseAddress! + (b * (tokens - prefix) + t - prefix) * width
                                for d in 0..<width { out[d] = from[d] + position[d] }
                            }
                        }
                    }
                }
            }
        }
        return x
    }

    /// Backward of `assembleTokens`: adds prefix-token and position gradients, returns dPatchTokens.
    func scatterTokens(_ dx: Tensor, batch: Int) -> Tensor {
        let width = config.dim, tokens = config.tokens, prefix = config.prefixTokens
        var dPatches = Tensor(uninitialized: [batch, tokens - prefix, width])
        let prefixParameters = [classToken, distillationToken].compactMap { $0 }
        dx.data.withUnsafeBufferPointer { gradient in
            positionEmbedding.gradient.data.withUnsafeMutableBufferPointer { dPosition in
                dPatches.data.withUnsafeMutableBufferPointer { target in
                    for b in 0..<batch {
                        for t in 0..<tokens {
                            let row = gradient.baseAddress! + (b * tokens + t) * width
                            for d in 0..<width { dPosition[t * width + d] += row[d] }
                            if t < prefix {
                                prefixParameters[t].gradient.data.withUnsafeMutableBufferPointer { dToken in
                                    for d in 0..<width { dToken[d] += row[d] }
                                }
                            } else {
                                let out = target.baseAddress! + (b * (tokens - prefix) + t - prefix) * width
                                for d in 0..<width { out[d] = row[d] }
                            }
                        }
                    }
                }
            }
        }
        return dPatches
    }

    private func gatherToken(_ x: Tensor, index: Int, batch: Int, tokens: Int, width: Int) -> Tensor {
        var result = Tensor(uninitialized: [batch, width])
        for b in 0..<batch {
            for d in 0..<width { result.data[b * width + d] = x.data[(b * tokens + index) * width + d] }
        }
        return result
    }

    /// [B, N, D] -> [B, D]: token 0 for cls pooling, else the mean of the patch tokens.
    private func pool(_ x: Tensor, batch: Int, tokens: Int, width: Int) -> Tensor {
        if config.pool == .cls { return gatherToken(x, index: 0, batch: batch, tokens: tokens, width: width) }
        var result = Tensor(zeros: [batch, width])
        let prefix = config.prefixTokens, scale = 1 / Float(tokens - prefix)
        for b in 0..<batch {
            for t in prefix..<tokens {
                for d in 0..<width { result.data[b * width + d] += x.data[(b * tokens + t) * width + d] * scale }
            }
        }
        return result
    }

    private func unpool(_ dPooled: Tensor, into dx: inout Tensor, batch: Int, tokens: Int, width: Int) {
        let prefix = config.prefixTokens
        let range = config.pool == .cls ? 0..<1 : prefix..<tokens
        let scale: Float = config.pool == .cls ? 1 : 1 / Float(tokens - prefix)
        for b in 0..<batch {
            for t in range {
                for d in 0..<width { dx.data[(b * tokens + t) * width + d] += dPooled.data[b * width + d] * scale }
            }
        }
    }
}
