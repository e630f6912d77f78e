// Multi-head self-attention with a fused qkv projection and an output projection (timm).
//   x: [B, N, D] -> qkv = x Wqkv^T + b: [B, N, 3E], columns (q|k|v), heads contiguous in each
//   (E = H * Dh is D, or less after structured pruning removed heads)
//   q, k, v: [B, H, N, Dh], q pre-scaled by Dh^-1/2
//   S = q k^T: [B*H, N, N],  P = softmax(S),  O = P v: [B*H, N, Dh] -> merged [B, N, E]
//   y = O Wproj^T + b: [B, N, D]
// Backward: dP = dO v^T, dv = P^T dO, dS = P * (dP - rowsum(dP * P)), dq = dS k * scale, dk = dS^T q.

public struct AttentionCache {
    var input: Tensor        // x [B, N, D]
    var heads: Tensor        // [3, B, H, N, Dh]: scaled q, k, v
    var probabilities: Tensor  // P [B*H, N, N]
    var merged: Tensor       // O [B, N, D], the input of proj
}

public struct Attention {
    public let qkv: Linear
    public let proj: Linear
    public let heads: Int
    public let headWidth: Int

    public init(qkv: Linear, proj: Linear, heads: Int, headWidth: Int) {
        self.qkv = qkv
        self.proj = proj
        self.heads = heads
        self.headWidth = headWidth
    }

    public func forward(_ x: Tensor, precision: Precision, keepCache: Bool) -> (Tensor, AttentionCache?) {
        let corePrecision = Attention.corePrecision(precision)
        let (batch, tokens, width) = (x.shape[0], x.shape[1], heads * headWidth)
        let groups = batch * heads
        let projected = qkv.forward(x, precision: precision)
        var split = Tensor(uninitialized: [3, batch, heads, tokens, headWidth])
        splitHeads(projected, into: &split, batch: batch, tokens: tokens, width: width,
                   scale: 1 / Float(headWidth).squareRoot())
        var scores = Tensor(uninitialized: [groups, tokens, tokens])
        var output = Tensor(uninitialized: [groups, tokens, headWidth])
        let block = groups * tokens * headWidth
        split.data.withUnsafeBufferPointer { qkvHeads in
            let q = qkvHeads.baseAddress!, k = q + block, v = q + 2 * block
            scores.data.withUnsafeMutableBufferPointer { s in
                MatMul.multiply(MatMulShape(batch: groups, m: tokens, n: tokens, k: headWidth, transposeB: true),
                                a: q, b: k, c: s.baseAddress!, precision: corePrecision)
                softmaxRows(s.baseAddress!, rows: groups * tokens, columns: tokens)
                output.data.withUnsafeMutableBufferPointer { o in
                    MatMul.multiply(MatMulShape(batch: groups, m: tokens, n: headWidth, k: tokens),
                                    a: s.baseAddress!, b: v, c: o.baseAddress!, precision: corePrecision)
                }
            }
        }
        let merged = mergeHeads(output, batch: batch, tokens: tokens, width: width)
        let y = proj.forward(merged, precision: precision)
        let cache = keepCache ? AttentionCache(input: x, heads: split, probabilities: scores, merged: merged) : nil
        return (y, cache)
    }

    public func backward(_ dy: Tensor, cache: AttentionCache, precision: Precision) -> Tensor {
        let corePrecision = Attention.corePrecision(precision)
        let (batch, tokens, width) = (dy.shape[0], dy.shape[1], heads * headWidth)
        let groups = batch * heads
        let dMerged = proj.backward(dy, input: cache.merged, precision: precision)!
        let dOutput = splitMerged(dMerged, batch: batch, tokens: tokens, width: width)
        var dScores = Tensor(uninitialized: [groups, tokens, tokens])
        var dSplit = Tensor(uninitialized: [3, batch, heads, tokens, headWidth])
        let block = groups * tokens * headWidth
        cache.heads.data.withUnsafeBufferPointer { qkvHeads in
            let q = qkvHeads.baseAddress!, k = q + block, v = q + 2 * block
            cache.probabilities.data.withUnsafeBufferPointer { p in
                dOutput.data.withUnsafeBufferPointer { dO in
                    dScores.data.withUnsafeMutableBufferPointer { dS in
                        dSplit.data.withUnsafeMutableBufferPointer { dHeads in
                            let dq = dHeads.baseAddress!, dk = dq + block, dv = dq + 2 * block
                            MatMul.multiply(MatMulShape(batch: groups, m: tokens, n: tokens, k: headWidth, transposeB: true),
                                            a: dO.baseAddress!, b: v, c: dS.baseAddress!, precision: corePrecision)
                            MatMul.multiply(MatMulShape(batch: groups, m: tokens, n: headWidth, k: tokens, transposeA: true),
                                            a: p.baseAddress!, b: dO.baseAddress!, c: dv, precision: corePrecision)
                            softmaxRowsBackward(probabilities: p.baseAddress!, gradient: dS.baseAddress!,
                                                rows: groups * tokens, columns: tokens)
                            MatMul.multiply(MatMulShape(batch: groups, m: tokens, n: headWidth, k: tokens),
                                            a: dS.baseAddress!, b: k, c: dq, precision: corePrecision)
                            MatMul.multiply(MatMulShape(batch: groups, m: tokens, n: headWidth, k: tokens, transposeA: true),
                                            a: dS.baseAddress!, b: q, c: dk, precision: corePrecision)
                        }
                    }
                }
            }
        }
        var dProjected = Tensor(uninitialized: [batch, tokens, 3 * width])
        // dq above is the gradient of the scaled q; the chain rule brings the scale once more.
        joinHeads(dSplit, into: &dProjected, batch: batch, tokens: tokens, width: width,
                  queryScale: 1 / Float(headWidth).squareRoot())
        return qkv.backward(dProjected, input: cache.input, precision: precision)!
    }

    /// The products inside attention (QK^T, PV and their gradients) are 6% of the FLOPs but
    /// touch the [B*H, N, N] probabilities four times; rounding those to bf16 costs as much
    /// as the bf16 product saves (measured: 141 vs 144 images/s), so they stay in f32.
    static func corePrecision(_ precision: Precision) -> Precision { .f32 }

    /// [B, N, 3E] -> [3, B, H, N, Dh], scaling q.
    private func splitHeads(_ projected: Tensor, into split: inout Tensor,
                            batch: Int, tokens: Int, width: Int, scale: Float) {
        transposeHeads(projected.data, &split.data, batch: batch, tokens: tokens, width: width,
                       queryScale: scale, toHeads: true)
    }

    /// [3, B, H, N, Dh] gradients -> [B, N, 3E], applying the q scale.
    private func joinHeads(_ split: Tensor, into projected: inout Tensor,
                           batch: Int, tokens: Int, width: Int, queryScale: Float) {
        transposeHeads(split.data, &projected.data, batch: batch, tokens: tokens, width: width,
                       queryScale: queryScale, toHeads: false)
    }

    /// Moves q, k and v between the token-major [B, N, 3E] layout and the head-major
    /// [3, B, H, N, Dh] one, in either direction, multiplying q by `queryScale`.
    private func transposeHeads(_ source: [Float], _ target: inout [Float], batch: Int, tokens: Int, width: Int,
                                queryScale: Float, toHeads: Bool) {
        let block = batch * heads * tokens * headWidth
        source.withUnsafeBufferPointer { from in
            target.withUnsafeMutableBufferPointer { to in
                parallelRanges(batch * tokens, minimumPerWorker: 64) { range in
                    for row in range {
                        let b = row / tokens, n = row % tokens
                        for part in 0..<3 {
                            let factor: Float = part == 0 ? queryScale : 1
                            for h in 0..<heads {
                                let tokenMajor = row * 3 * width + part * width + h * headWidth
                                let headMajor = part * block + ((b * heads + h) * tokens + n) * headWidth
                                let (s, t) = toHeads ? (tokenMajor, headMajor) : (headMajor, tokenMajor)
                                for d in 0..<headWidth { to[t + d] = from[s + d] * factor }
                            }
                        }
                    }
                }
            }
        }
    }

    /// [B*H, N, Dh] -> [B, N, D].
    private func mergeHeads(_ output: Tensor, batch: Int, tokens: Int, width: Int) -> Tensor {
        var merged = Tensor(uninitialized: [batch, tokens, width])
        permuteHeads(output.data, &merged.data, batch: batch, tokens: tokens, width: width, toMerged: true)
        return merged
    }

    /// [B, N, D] -> [B*H, N, Dh].
    private func splitMerged(_ merged: Tensor, batch: Int, tokens: Int, width: Int) -> Tensor {
        var output = Tensor(uninitialized: [batch * heads, tokens, width / heads])
        permuteHeads(merged.data, &output.data, batch: batch, tokens: tokens, width: width, toMerged: false)
        return output
    }

    private func permuteHeads(_ source: [Float], _ target: inout [Float],
                              batch: Int, tokens: Int, width: Int, toMerged: Bool) {
        source.withUnsafeBufferPointer { from in
            target.withUnsafeMutableBufferPointer { to in
                parallelRanges(batch * tokens, minimumPerWorker: 64) { range in
                    for row in range {
                        let b = row / tokens, n = row % tokens
                        for h in 0..<heads {
                            let mergedOffset = row * width + h * headWidth
                            let headOffset = ((b * heads + h) * tokens + n) * headWidth
                            let (s, t) = toMerged ? (headOffset, mergedOffset) : (mergedOffset, headOffset)
                            for d in 0..<headWidth { to[t + d] = from[s + d] }
                        }
                    }
                }
            }
        }
    }
}
