// The encoder's normalisation (ModelConfig.Norm): LayerNorm over each token's D values, or
// BatchNorm over the B*N token rows of each channel (the course report's variant).
//   x: [B, N, D] -> y: [B, N, D]
// BatchNorm uses batch statistics exactly when the forward keeps caches, i.e. when it will be
// differentiated (training), and its running statistics otherwise (evaluation, calibration, a
// teacher's forward-only pass), which it never writes: `updateRunningStatistics` does.

public enum TokenNorm {
    case layer(LayerNorm)
    case batch(BatchNorm)

    func forward(_ x: Tensor, keepCache: Bool) -> (Tensor, TokenNormCache?) {
        switch self {
        case .layer(let norm):
            let (y, cache) = norm.forward(x, keepCache: keepCache)
            return (y, cache.map { .layer($0) })
        case .batch(let norm):
            let (y, cache) = norm.forward(x, training: keepCache)
            return (y, cache.map { .batch($0) })
        }
    }

    /// The output as a bf16 product's input: LayerNorm writes it rounded in its own pass;
    /// BatchNorm's f32 output is rounded afterwards.
    func forwardRounded(_ x: Tensor, keepCache: Bool) -> (LinearInput, TokenNormCache?) {
        switch self {
        case .layer(let norm):
            let (y, cache) = norm.forwardRounded(x, keepCache: keepCache)
            return (y, cache.map { .layer($0) })
        case .batch:
            let (y, cache) = forward(x, keepCache: keepCache)
            return (Linear.input(y, precision: .bf16), cache)
        }
    }

    /// dx, or residual + dx (LayerNorm adds it in its own pass).
    func backward(_ dy: Tensor, cache: TokenNormCache, adding residual: Tensor? = nil) -> Tensor {
        switch (self, cache) {
        case (.layer(let norm), .layer(let layerCache)): return norm.backward(dy, cache: layerCache, adding: residual)
        case (.batch(let norm), .batch(let batchCache)):
            let dx = norm.backward(dy, cache: batchCache)
            return residual.map { add($0, dx) } ?? dx
        default: preconditionFailure("TokenNorm: a cache from the other normalisation")
        }
    }

    /// Folds a training forward's batch statistics into BatchNorm's running ones; LayerNorm has none.
    func updateRunningStatistics(_ cache: TokenNormCache) {
        if case .batch(let norm) = self, case .batch(let batchCache) = cache { norm.updateRunningStatistics(batchCache) }
    }

    public var batchNorm: BatchNorm? {
        if case .batch(let norm) = self { return norm }
        return nil
    }
}

public enum TokenNormCache {
    case layer(LayerNormCache)
    case batch(BatchNormCache)
}
