// The encoder without its head (what `forward` runs before pooling, and what pre-training
// trains): images to final-normed tokens, and back.
//   images [B, C, S, S] -> image tokens [B, G*G, D] (-> masked ones replaced by the mask token)
//   -> x = [cls?, dist?, image tokens] + pos_embed: [B, N, D] -> blocks -> norm -> tokens [B, N, D]

public struct TokenCache {
    var tokenizer: ImageTokenizerCache
    var masking: PatchMasking?
    var blocks: [BlockCache]
    var finalNorm: TokenNormCache
    var tokenDropMask: [Float]?
    var batch: Int
}

extension VisionTransformer {
    /// Every parameter but the classification heads: what pre-training trains and `--init` copies.
    public var encoderParameters: [Parameter] {
        parameters.filter { !Self.isHeadParameter($0.name) }
    }

    public static func isHeadParameter(_ name: String) -> Bool {
        name.hasPrefix("head.") || name.hasPrefix("head_dist.")
    }

    /// `dropoutSeed` nil means no dropout or drop-path; `keepCache` is needed only for `backwardTokens`.
    /// `rows`: which rows of a global batch `images` are (data parallel), so that their dropout
    /// and drop-path masks are those rows' part of the whole batch's; nil: all of it.
    public func forwardTokens(_ images: Tensor, masking: PatchMasking? = nil, precision: Precision = .f32,
                              keepCache: Bool = false, dropoutSeed: UInt64? = nil,
                              rows: BatchRows? = nil) -> (tokens: Tensor, cache: TokenCache?) {
        let batch = images.shape[0]
        let isRandom = config.dropout > 0 || config.dropPath > 0
        var generator: SeededGenerator? = (isRandom ? dropoutSeed : nil).map { SeededGenerator(seed: $0) }
        var (patchTokens, tokenizerCache) = tokenizer.forward(images, precision: precision, keepCache: keepCache)
        if let masking { patchTokens = masking.forward(patchTokens) }
        var x = assembleTokens(patchTokens, batch: batch)
        var tokenDropMask: [Float]?
        if config.dropout > 0, generator != nil {
            let mask = Dropout.mask(count: x.count, rate: config.dropout, generator: &generator!,
                                    rows: rows ?? .all(batch))
            Dropout.apply(mask, to: &x)
            tokenDropMask = mask
        }
        var blockCaches: [BlockCache] = []
        for block in blocks {
            let (y, cache) = block.forward(x, precision: precision, keepCache: keepCache, generator: &generator,
                                         rows: rows)
            x = y
            if let cache { blockCaches.append(cache) }
        }
        let (tokens, normCache) = norm.forward(x, keepCache: keepCache)
        let cache = keepCache ? TokenCache(tokenizer: tokenizerCache!, masking: masking, blocks: blockCaches,
                                           finalNorm: normCache!, tokenDropMask: tokenDropMask, batch: batch) : nil
        return (tokens, cache)
    }

    /// Folds the BatchNorm batch statistics of a training forward into the running buffers
    /// (momentum 0.1, PyTorch's rule). The training steps call it once per step, after forward;
    /// nothing else writes the buffers. A no-op for LayerNorm models.
    public func updateRunningStatistics(_ cache: TokenCache) {
        for (block, blockCache) in zip(blocks, cache.blocks) { block.updateRunningStatistics(blockCache) }
        norm.updateRunningStatistics(cache.finalNorm)
    }

    /// Adds the gradients of every encoder parameter (and of the mask token) for dTokens [B, N, D].
    public func backwardTokens(_ dTokens: Tensor, cache: TokenCache, precision: Precision = .f32) {
        var dx = norm.backward(dTokens, cache: cache.finalNorm)
        for (block, blockCache) in zip(blocks, cache.blocks).reversed() {
            dx = block.backward(dx, cache: blockCache, precision: precision)
        }
        if let mask = cache.tokenDropMask { Dropout.apply(mask, to: &dx) }
        var dPatchTokens = scatterTokens(dx, batch: cache.batch)
        if let masking = cache.masking { dPatchTokens = masking.backward(dPatchTokens) }
        tokenizer.backward(dPatchTokens, cache: cache.tokenizer, precision: precision)
    }

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
}
