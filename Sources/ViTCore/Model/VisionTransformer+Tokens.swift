// The encoder without its head (what `forward` runs before pooling, and what pre-training
// trains): images to final-normed tokens, and back.
//   images [B, C, S, S] -> patch tokens [B, G*G, D] (-> masked patches replaced by the mask token)
//   -> x = [cls?, dist?, patches] + pos_embed: [B, N, D] -> blocks -> norm -> tokens [B, N, D]

public struct TokenCache {
    var patches: Tensor
    var masking: PatchMasking?
    var blocks: [BlockCache]
    var finalNorm: LayerNormCache
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

    /// `dropoutSeed` nil means no dropout; `keepCache` is needed only for `backwardTokens`.
    public func forwardTokens(_ images: Tensor, masking: PatchMasking? = nil, precision: Precision = .f32,
                              keepCache: Bool = false, dropoutSeed: UInt64? = nil) -> (tokens: Tensor, cache: TokenCache?) {
        let batch = images.shape[0]
        var generator: SeededGenerator? = (config.dropout > 0 ? dropoutSeed : nil).map { SeededGenerator(seed: $0) }
        var (patchTokens, patches) = patchEmbedding.forward(images, precision: precision)
        if let masking { patchTokens = masking.forward(patchTokens) }
        var x = assembleTokens(patchTokens, batch: batch)
        var tokenDropMask: [Float]?
        if generator != nil {
            let mask = Dropout.mask(count: x.count, rate: config.dropout, generator: &generator!)
            Dropout.apply(mask, to: &x)
            tokenDropMask = mask
        }
        var blockCaches: [BlockCache] = []
        for block in blocks {
            let (y, cache) = block.forward(x, precision: precision, keepCache: keepCache, generator: &generator)
            x = y
            if let cache { blockCaches.append(cache) }
        }
        let (tokens, normCache) = norm.forward(x, keepCache: keepCache)
        let cache = keepCache ? TokenCache(patches: patches, masking: masking, blocks: blockCaches,
                                           finalNorm: normCache!, tokenDropMask: tokenDropMask, batch: batch) : nil
        return (tokens, cache)
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
        patchEmbedding.backward(dPatchTokens, patches: cache.patches, precision: precision)
    }
}
