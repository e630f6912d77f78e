// Self-supervised pre-training: the ViT encoder with the reconstruction decoder.
//   images [B, C, S, S] -> (masked patches replaced by decoder.mask_token [1, 1, D])
//   -> encoder tokens [B, N, D] -> patch tokens [B, G*G, D] (prefix tokens dropped)
//   -> decoder -> reconstruction [B, C, S, S] in [-1, 1]
// The classification head is not used, so it is not trained either.

public struct PretrainingCache {
    var encoder: TokenCache
    var decoder: DecoderCache
}

public final class PretrainingModel {
    public let encoder: VisionTransformer
    public let decoder: ReconstructionDecoder
    /// The learned stand-in for masked patches; nil for whole-image reconstruction.
    public let maskToken: Parameter?

    public static let maskTokenName = "decoder.mask_token"

    public init(encoder: VisionTransformer, decoder: ReconstructionDecoder, maskToken: Parameter?) {
        precondition(maskToken.map { $0.shape == [1, 1, encoder.config.dim] } ?? true,
                     "PretrainingModel: the mask token must be [1, 1, \(encoder.config.dim)]")
        self.encoder = encoder
        self.decoder = decoder
        self.maskToken = maskToken
    }

    /// A new encoder (timm's initialisation, exactly as `VisionTransformer(config:seed:)`) with a new
    /// decoder and, when `masked`, a mask token drawn like timm's tokens (trunc_normal(0.02)).
    public convenience init(config: ModelConfig, masked: Bool, seed: UInt64) throws {
        let encoder = try VisionTransformer(config: config, seed: seed)
        var generator = SeededGenerator(seed: seed ^ 0xDEC0_DE00)
        let decoder = try ReconstructionDecoder(config: config,
                                                values: ReconstructionDecoder.initialValues(config, generator: &generator))
        let token = masked ? Parameter(name: Self.maskTokenName,
                                       value: Tensor(shape: [1, 1, config.dim],
                                                     data: (0..<config.dim).map { _ in generator.nextTruncatedNormal(std: 0.02) }),
                                       decays: false) : nil
        self.init(encoder: encoder, decoder: decoder, maskToken: token)
    }

    /// What the optimizer updates: the encoder without its head, the decoder, the mask token.
    public var trainableParameters: [Parameter] {
        encoder.encoderParameters + decoder.parameters + (maskToken.map { [$0] } ?? [])
    }

    public func zeroGradients() {
        for parameter in trainableParameters { parameter.gradient.fill(0) }
    }

    /// The patches to mask in a batch, drawn from `seed`; nil (whole images) when `ratio` is 0.
    public func masking(batch: Int, ratio: Float, seed: UInt64) -> PatchMasking? {
        guard ratio > 0, let maskToken else { return nil }
        var generator = SeededGenerator(seed: seed)
        return PatchMasking.random(token: maskToken, batch: batch, patches: encoder.config.patchCount,
                                   ratio: ratio, generator: &generator)
    }

    public func forward(_ images: Tensor, masking: PatchMasking? = nil, precision: Precision = .f32,
                        keepCache: Bool = false, dropoutSeed: UInt64? = nil,
                        rows: BatchRows? = nil) -> (Tensor, PretrainingCache?) {
        let (tokens, encoderCache) = encoder.forwardTokens(images, masking: masking, precision: precision,
                                                           keepCache: keepCache, dropoutSeed: dropoutSeed, rows: rows)
        let patchTokens = Self.dropPrefix(tokens, prefix: encoder.config.prefixTokens)
        let (reconstruction, decoderCache) = decoder.forward(patchTokens, precision: precision, keepCache: keepCache)
        guard keepCache else { return (reconstruction, nil) }
        return (reconstruction, PretrainingCache(encoder: encoderCache!, decoder: decoderCache!))
    }

    /// Adds the gradients of every trainable parameter for dReconstruction [B, C, S, S].
    public func backward(_ dReconstruction: Tensor, cache: PretrainingCache, precision: Precision = .f32) {
        let dPatchTokens = decoder.backward(dReconstruction, cache: cache.decoder, precision: precision)
        let config = encoder.config
        // The prefix tokens reach the loss only through attention, so their rows of dTokens are 0.
        var dTokens = Tensor(zeros: [dPatchTokens.shape[0], config.tokens, config.dim])
        let (patchRows, allRows) = (config.patchCount * config.dim, config.tokens * config.dim)
        let prefixRows = config.prefixTokens * config.dim
        for b in 0..<dPatchTokens.shape[0] {
            dTokens.data.replaceSubrange(b * allRows + prefixRows ..< (b + 1) * allRows,
                                         with: dPatchTokens.data[b * patchRows ..< (b + 1) * patchRows])
        }
        encoder.backwardTokens(dTokens, cache: cache.encoder, precision: precision)
    }

    /// [B, N, D] -> [B, N - prefix, D]
    static func dropPrefix(_ tokens: Tensor, prefix: Int) -> Tensor {
        guard prefix > 0 else { return tokens }
        let (batch, count, width) = (tokens.shape[0], tokens.shape[1], tokens.shape[2])
        var data: [Float] = []
        data.reserveCapacity(batch * (count - prefix) * width)
        for b in 0..<batch {
            data += tokens.data[(b * count + prefix) * width ..< (b + 1) * count * width]
        }
        return Tensor(shape: [batch, count - prefix, width], data: data)
    }
}
