// Pre-norm transformer block (timm):
//   x1 = x  + drop(attn(norm1(x)))
//   y  = x1 + drop(fc2(drop(gelu(fc1(norm2(x1))))))
// x, x1, y: [B, N, D]; fc1 out: [B, N, M].

public struct BlockCache {
    var norm1: LayerNormCache
    var attention: AttentionCache
    var norm2: LayerNormCache
    var normed2: Tensor      // fc1 input
    var geluSlope: Tensor    // GELU's derivative at the fc1 output
    var activated: Tensor    // GELU output (after dropout), fc2 input
    var dropMasks: [[Float]]  // attention out, hidden, mlp out; empty without dropout
}

public struct Block {
    public let norm1: LayerNorm
    public let attention: Attention
    public let norm2: LayerNorm
    public let fc1: Linear
    public let fc2: Linear
    public let dropout: Float

    public func forward(_ x: Tensor, precision: Precision, keepCache: Bool,
                        generator: inout SeededGenerator?) -> (Tensor, BlockCache?) {
        if runsFusedInt8(keepCache: keepCache, generator: generator) { return (forwardFusedInt8(x, precision: precision), nil) }
        var masks: [[Float]] = []
        func drop(_ t: inout Tensor) {
            guard dropout > 0, generator != nil else { return }
            let mask = Dropout.mask(count: t.count, rate: dropout, generator: &generator!)
            Dropout.apply(mask, to: &t)
            masks.append(mask)
        }
        let (normed1, norm1Cache) = norm1.forward(x, keepCache: keepCache)
        var (attended, attentionCache) = attention.forward(normed1, precision: precision, keepCache: keepCache)
        drop(&attended)
        let x1 = add(x, attended)
        let (normed2, norm2Cache) = norm2.forward(x1, keepCache: keepCache)
        let hidden = fc1.forward(normed2, precision: precision)
        var (activated, geluSlope) = keepCache ? GELU.forwardWithDerivative(hidden) : (GELU.forward(hidden), Tensor(zeros: [0]))
        drop(&activated)
        var out = fc2.forward(activated, precision: precision)
        drop(&out)
        let y = add(x1, out)
        guard keepCache else { return (y, nil) }
        return (y, BlockCache(norm1: norm1Cache!, attention: attentionCache!, norm2: norm2Cache!,
                              normed2: normed2, geluSlope: geluSlope, activated: activated, dropMasks: masks))
    }

    public func backward(_ dy: Tensor, cache: BlockCache, precision: Precision) -> Tensor {
        var masks = cache.dropMasks
        func undrop(_ t: inout Tensor) {
            guard !masks.isEmpty else { return }
            Dropout.apply(masks.removeLast(), to: &t)
        }
        var dOut = dy
        undrop(&dOut)
        var dActivated = fc2.backward(dOut, input: cache.activated, precision: precision)!
        undrop(&dActivated)
        let dHidden = GELU.backward(dActivated, derivative: cache.geluSlope)
        let dNormed2 = fc1.backward(dHidden, input: cache.normed2, precision: precision)!
        let dx1 = add(dy, norm2.backward(dNormed2, cache: cache.norm2))
        var dAttended = dx1
        undrop(&dAttended)
        let dNormed1 = attention.backward(dAttended, cache: cache.attention, precision: precision)
        return add(dx1, norm1.backward(dNormed1, cache: cache.norm1))
    }
}

/// Element-wise a + b (same shape), both cores.
func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    elementwise(a, b, addKernel)
}
