// Multi-head self-attention with a fused qkv projection and an output projection (timm).
//   x: [B, N, D] -> qkv = x Wqkv^T + b: [B, N, 3E], columns (q|k|v), heads contiguous in each
//   (E = H * Dh is D, or less after structured pruning removed heads)
//   S = q k^T / sqrt(Dh): [B, H, N, N],  P = softmax(S),  O = P v: [B, N, E] (token-major)
//   y = O Wproj^T + b: [B, N, D]
// Backward: dP = dO v^T, dv = P^T dO, dS = P * (dP - rowsum(dP * P)) / sqrt(Dh),
//           dq = dS k, dk = dS^T q, written straight into dqkv [B, N, 3E].
// The products read q, k, v where the projection left them and write O and the gradients
// where the next step wants them (strided operands), so no head is ever copied into another
// layout. They run in f32 in both precisions: 6% of the FLOPs, and rounding the [B, H, N, N]
// probabilities to bf16 four times a step cost as much as it saved.

public struct AttentionCache {
    var input: Tensor          // x [B, N, D]
    var projected: Tensor      // qkv [B, N, 3E]
    var probabilities: Tensor  // P [B, H, N, N]
    var merged: Tensor         // O [B, N, E], the input of proj
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
        let (batch, tokens, width) = (x.shape[0], x.shape[1], heads * headWidth)
        let projected = qkv.forward(x, precision: precision)
        var scores = Tensor(uninitialized: [batch, heads, tokens, tokens])
        var merged = Tensor(uninitialized: [batch, tokens, width])
        let layout = Layout(batch: batch, tokens: tokens, heads: heads, headWidth: headWidth)
        projected.data.withUnsafeBufferPointer { qkvValues in
            let q = qkvValues.baseAddress!, k = q + width, v = q + 2 * width
            scores.data.withUnsafeMutableBufferPointer { s in
                MatMul.multiply(layout.product(m: tokens, n: tokens, k: headWidth, a: layout.fused,
                                               b: layout.fusedTransposed, c: layout.square),
                                a: q, b: k, c: s.baseAddress!)
                softmaxRows(s.baseAddress!, rows: batch * heads * tokens, columns: tokens,
                            scale: 1 / Float(headWidth).squareRoot())
                merged.data.withUnsafeMutableBufferPointer { o in
                    MatMul.multiply(layout.product(m: tokens, n: headWidth, k: tokens, a: layout.square,
                                                   b: layout.fused, c: layout.merged),
                                    a: s.baseAddress!, b: v, c: o.baseAddress!)
                }
            }
        }
        let y = proj.forward(merged, precision: precision)
        let cache = keepCache ? AttentionCache(input: x, projected: projected, probabilities: scores, merged: merged) : nil
        return (y, cache)
    }

    public func backward(_ dy: Tensor, cache: AttentionCache, precision: Precision) -> Tensor {
        let (batch, tokens, width) = (dy.shape[0], dy.shape[1], heads * headWidth)
        let layout = Layout(batch: batch, tokens: tokens, heads: heads, headWidth: headWidth)
        let dMerged = proj.backward(dy, input: cache.merged, precision: precision)!
        var dScores = Tensor(uninitialized: [batch, heads, tokens, tokens])
        // Every element is written: dq, dk and dv each fill their E columns of every row.
        var dProjected = Tensor(uninitialized: [batch, tokens, 3 * width])
        cache.projected.data.withUnsafeBufferPointer { qkvValues in
            let q = qkvValues.baseAddress!, k = q + width, v = q + 2 * width
            cache.probabilities.data.withUnsafeBufferPointer { p in
                dMerged.data.withUnsafeBufferPointer { dO in
                    dScores.data.withUnsafeMutableBufferPointer { dS in
                        dProjected.data.withUnsafeMutableBufferPointer { dQKV in
                            let dq = dQKV.baseAddress!, dk = dq + width, dv = dq + 2 * width
                            MatMul.multiply(layout.product(m: tokens, n: tokens, k: headWidth, a: layout.merged,
                                                           b: layout.fusedTransposed, c: layout.square),
                                            a: dO.baseAddress!, b: v, c: dS.baseAddress!)
                            MatMul.multiply(layout.product(m: tokens, n: headWidth, k: tokens, a: layout.squareTransposed,
                                                           b: layout.merged, c: layout.fused),
                                            a: p.baseAddress!, b: dO.baseAddress!, c: dv)
                            softmaxRowsBackward(probabilities: p.baseAddress!, gradient: dS.baseAddress!,
                                                rows: batch * heads * tokens, columns: tokens,
                                                scale: 1 / Float(headWidth).squareRoot())
                            MatMul.multiply(layout.product(m: tokens, n: headWidth, k: tokens, a: layout.square,
                                                           b: layout.fused, c: layout.fused),
                                            a: dS.baseAddress!, b: k, c: dq)
                            MatMul.multiply(layout.product(m: tokens, n: headWidth, k: tokens, a: layout.squareTransposed,
                                                           b: layout.fused, c: layout.fused),
                                            a: dS.baseAddress!, b: q, c: dk)
                        }
                    }
                }
            }
        }
        return qkv.backward(dProjected, input: cache.input, precision: precision)!
    }

    /// Element strides of attention's operands, each seen as [B, H, rows, columns].
    private struct Layout {
        let batch: Int, tokens: Int, heads: Int, headWidth: Int
        var width: Int { heads * headWidth }
        /// q, k or v inside the fused [B, N, 3E] projection (and their gradients in dqkv): [N, Dh].
        var fused: StridedOperand { StridedOperand([tokens * 3 * width, headWidth, 3 * width, 1]) }
        /// k or v transposed, read in place: [Dh, N].
        var fusedTransposed: StridedOperand { StridedOperand([tokens * 3 * width, headWidth, 1, 3 * width]) }
        /// O or dO in the token-major [B, N, E] layout: [N, Dh].
        var merged: StridedOperand { StridedOperand([tokens * width, headWidth, width, 1]) }
        /// S, P or dS, dense [B, H, N, N].
        var square: StridedOperand { StridedOperand([heads * tokens * tokens, tokens * tokens, tokens, 1]) }
        var squareTransposed: StridedOperand { StridedOperand([heads * tokens * tokens, tokens * tokens, 1, tokens]) }

        func product(m: Int, n: Int, k: Int, a: StridedOperand, b: StridedOperand, c: StridedOperand) -> StridedMatMulShape {
            StridedMatMulShape(batch: [batch, heads], m: m, n: n, k: k, a: a, b: b, c: c)
        }
    }
}
