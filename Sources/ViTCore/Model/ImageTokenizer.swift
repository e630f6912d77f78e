// The model's first layer (ModelConfig.Tokenizer): images [B, C, S, S] -> tokens [B, G*G, D].
//   patch: PatchEmbedding (G = S / P);  conv: ConvTokenizer (G = S / 2^n for n layers).
// Neither returns an image gradient: the images are data.

enum ImageTokenizer {
    case patch(PatchEmbedding)
    case conv(ConvTokenizer)

    func forward(_ images: Tensor, precision: Precision, keepCache: Bool) -> (Tensor, ImageTokenizerCache?) {
        switch self {
        case .patch(let embedding):
            let (tokens, patches) = embedding.forward(images, precision: precision)
            return (tokens, keepCache ? .patch(patches: patches) : nil)
        case .conv(let tokenizer):
            let (tokens, cache) = tokenizer.forward(images, precision: precision, keepCache: keepCache)
            return (tokens, cache.map { .conv($0) })
        }
    }

    func backward(_ dTokens: Tensor, cache: ImageTokenizerCache, precision: Precision) {
        switch (self, cache) {
        case (.patch(let embedding), .patch(let patches)):
            embedding.backward(dTokens, patches: patches, precision: precision)
        case (.conv(let tokenizer), .conv(let convCache)):
            tokenizer.backward(dTokens, cache: convCache)
        default:
            preconditionFailure("ImageTokenizer: a cache from the other tokenizer")
        }
    }
}

enum ImageTokenizerCache {
    case patch(patches: Tensor)
    case conv(ConvTokenizerCache)
}
