// Pre-norm transformer block (timm); norm is LayerNorm or BatchNorm (TokenNorm):
//   x1 = x  + path(drop(attn(norm1(x))))
//   y  = x1 + path(drop(fc2(drop(gelu(fc1(norm2(x1)))))))
// x, x1, y: [B, N, D]; fc1 out: [B, N, M]. drop: Dropout (per value), path: DropPath (per sample);
// both only in training, when a generator is given.

public struct BlockCache {
    var norm1: TokenNormCache
    var attention: AttentionCache
    var norm2: TokenNormCache
    var normed2: LinearInput    // fc1 input
    var geluSlope: Tensor       // GELU's derivative at the fc1 output
    var activated: LinearInput  // GELU output (after dropout), fc2 input
    var dropMasks: [[Float]]  // attention out, hidden, mlp out; empty without dropout
    var pathMasks: [[Float]]  // attention branch, mlp branch; empty without drop-path
}

public struct Block {
    public let norm1: TokenNorm
    public let attention: Attention
    public let norm2: TokenNorm
    public let fc1: Linear
    public let fc2: Linear
    public let dropout: Float
    /// This block's drop-path rate (DropPath.rate).
    public let dropPath: Float

    public func forward(_ x: Tensor, precision: Precision, keepCache: Bool,
                        generator: inout SeededGenerator?, rows: BatchRows? = nil) -> (Tensor, BlockCache?) {
        if runsFusedInt8(keepCache: keepCache, generator: generator) { return (forwardFusedInt8(x, precision: precision), nil) }
        // In bf16 each norm writes its linear layer's bf16 input itself, and GELU fc2's.
        let rounds = precision.productsInBFloat16
            && [attention.qkv, attention.proj, fc1, fc2].allSatisfy(\.isFloat)
        if rounds && !keepCache && generator == nil { return (forwardInferenceBFloat16(x), nil) }
        var masks: [[Float]] = [], pathMasks: [[Float]] = []
        func drop(_ t: inout Tensor) {
            guard dropout > 0, generator != nil else { return }
            let mask = Dropout.mask(count: t.count, rate: dropout, generator: &generator!,
                                    rows: rows ?? .all(t.shape[0]))
            Dropout.apply(mask, to: &t)
            masks.append(mask)
        }
        // x + branch, the branch dropped per sample in the same pass when training draws a drop-path mask.
        func addBranch(_ x: Tensor, _ branch: Tensor) -> Tensor {
            guard dropPath > 0, generator != nil else { return add(x, branch) }
            let mask = DropPath.mask(rows: rows ?? .all(branch.shape[0]), rate: dropPath, generator: &generator!)
            pathMasks.append(mask)
            return DropPath.addScaled(x, branch, by: mask)
        }
        var attended: Tensor, attentionCache: AttentionCache?, norm1Cache: TokenNormCache?
        if rounds {
            let (normed1, cache) = norm1.forwardRounded(x, keepCache: keepCache)
            norm1Cache = cache
            (attended, attentionCache) = attention.forwardBFloat16(normed1, keepCache: keepCache)
        } else {
            let (normed1, cache) = norm1.forward(x, keepCache: keepCache)
            norm1Cache = cache
            (attended, attentionCache) = attention.forward(normed1, precision: precision, keepCache: keepCache)
        }
        drop(&attended)
        let x1 = addBranch(x, attended)
        let fc1Input: LinearInput, norm2Cache: TokenNormCache?
        if rounds {
            (fc1Input, norm2Cache) = norm2.forwardRounded(x1, keepCache: keepCache)
        } else {
            let (normed2, cache) = norm2.forward(x1, keepCache: keepCache)
            (fc1Input, norm2Cache) = (Linear.input(normed2, precision: precision), cache)
        }
        let hidden = fc1.forward(fc1Input, precision: precision)
        let fc2Input: LinearInput, geluSlope: Tensor
        if rounds && !(dropout > 0 && generator != nil) {
            // No dropout between GELU and fc2 to apply in f32.
            (fc2Input, geluSlope) = keepCache ? GELU.forwardRoundedWithDerivative(hidden)
                                              : (GELU.forwardRounded(hidden), Tensor(zeros: [0]))
        } else {
            var (activated, slope) = keepCache ? GELU.forwardWithDerivative(hidden) : (GELU.forward(hidden), Tensor(zeros: [0]))
            drop(&activated)
            (fc2Input, geluSlope) = (Linear.input(activated, precision: precision), slope)
        }
        var out = fc2.forward(fc2Input, precision: precision)
        drop(&out)
        let y = addBranch(x1, out)
        guard keepCache else { return (y, nil) }
        return (y, BlockCache(norm1: norm1Cache!, attention: attentionCache!, norm2: norm2Cache!,
                              normed2: fc1Input, geluSlope: geluSlope, activated: fc2Input, dropMasks: masks,
                              pathMasks: pathMasks))
    }

    /// The bf16 inference forward with the residual adds and GELU inside the products: proj and
    /// fc2 add into the residual stream as they write it (oneDNN's sum post-op), and fc1 writes
    /// GELU of its output in bf16 (an erf GELU post-op), the only form fc2's product reads. Dropout
    /// and drop-path belong to training, so nothing else happens between the products. Equal to
    /// the step-by-step forward to float round-off (oneDNN's erf against fastErf, both within 2e-7,
    /// and the sums' order): tested.
    func forwardInferenceBFloat16(_ x: Tensor) -> Tensor {
        let (normed1, _) = norm1.forwardRounded(x, keepCache: false)
        var y = attention.forwardBFloat16(normed1, keepCache: false, addingTo: x).0
        let (normed2, _) = norm2.forwardRounded(y, keepCache: false)
        let activated = fc1.forwardRounded(normed2, gelu: true)
        fc2.forward(activated, addingInto: &y, precision: .bf16)
        return y
    }

    public func backward(_ dy: Tensor, cache: BlockCache, precision: Precision) -> Tensor {
        var masks = cache.dropMasks, pathMasks = cache.pathMasks
        func undrop(_ t: inout Tensor) {
            guard !masks.isEmpty else { return }
            Dropout.apply(masks.removeLast(), to: &t)
        }
        func undropBranch(_ t: inout Tensor) {
            guard !pathMasks.isEmpty else { return }
            DropPath.apply(pathMasks.removeLast(), to: &t)
        }
        // A residual branch's gradient as its first layer's backward takes it: without dropout the
        // drop-path mask is applied inside that backward (one pass with its rounding in bf16); with
        // dropout both masks are applied first, in order.
        func branchGradient(_ d: Tensor) -> (Tensor, GradientScaling?) {
            if masks.isEmpty { return (d, pathMasks.popLast().map { .samples($0) }) }
            var scaled = d
            undropBranch(&scaled)
            undrop(&scaled)
            return (scaled, nil)
        }
        let (dOut, outScaling) = branchGradient(dy)
        var dActivated = fc2.backward(dOut, scaledBy: outScaling, input: cache.activated, precision: precision)
        undrop(&dActivated)
        // GELU's backward (dy * GELU'(x)) runs inside fc1's: in bf16, one pass rounds and sums it.
        let dNormed2 = fc1.backward(dActivated, scaledBy: .elements(cache.geluSlope), input: cache.normed2,
                                    precision: precision)
        let dx1 = norm2.backward(dNormed2, cache: cache.norm2, adding: dy)
        let (dAttended, attendedScaling) = branchGradient(dx1)
        let dNormed1 = attention.backward(dAttended, scaledBy: attendedScaling, cache: cache.attention, precision: precision)
        return norm1.backward(dNormed1, cache: cache.norm1, adding: dx1)
    }

    /// Folds a training forward's BatchNorm statistics into the running ones (nothing for LayerNorm).
    func updateRunningStatistics(_ cache: BlockCache) {
        norm1.updateRunningStatistics(cache.norm1)
        norm2.updateRunningStatistics(cache.norm2)
    }
}

/// Element-wise a + b (same shape), both cores.
func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    elementwise(a, b, addKernel)
}
