// Multi-head self-attention with a fused qkv projection and an output projection (timm).
//   x: [B, N, D] -> qkv = x Wqkv^T + b: [B, N, 3E], columns (q|k|v), heads contiguous in each
//   (E = H * Dh is D, or less after structured pruning removed heads)
//   S = q k^T / sqrt(Dh): [B, H, N, N],  P = softmax(S),  O = P v: [B, N, E] (token-major)
//   y = O Wproj^T + b: [B, N, D]
// Backward: dP = dO v^T, dv = P^T dO, dS = P * (dP - rowsum(dP * P)) / sqrt(Dh),
//           dq = dS k, dk = dS^T q, written straight into dqkv [B, N, 3E].
// In f32 the products read q, k, v where the projection left them and write O and the
// gradients where the next step wants them (strided operands), with no copy.
// In bf16 the projection writes q, k, v in bf16 itself and they are copied into head-major
// bf16 matrices, as dO is (HeadLayout: for dO the copy is the conversion), P and dS are rounded to bf16 after the f32 softmax and its backward, and the
// products run as oneDNN's dense batched bf16 brgemm, 3-4 times the f32 strided products' speed
// (measured: 64x64x64 per head, 90-160 GFLOP/s in f32, 300-350 in bf16 on 2 Zen 4 cores).
// dq, dk, dv are written straight into dqkv (strided outputs: a gemm instead of brgemm there,
// measured faster than brgemm plus a pass that moves them). Softmax stays f32.

public struct AttentionCache {
    var input: LinearInput     // x [B, N, D]
    var projected: Tensor      // qkv [B, N, 3E] (f32 only; empty in bf16)
    var probabilities: Tensor  // P [B, H, N, N]
    var merged: LinearInput    // O [B, N, E], the input of proj
    var heads: [UInt16] = []   // bf16 only: q, k, v head-major [3, B, H, N, Dh]
    var roundedProbabilities: [UInt16] = []  // bf16 only: P in bf16
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
        if precision.productsInBFloat16 { return forwardBFloat16(Linear.input(x, precision: .bf16), keepCache: keepCache) }
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
        let cache = keepCache ? AttentionCache(input: LinearInput(values: x, rounded: nil), projected: projected,
                                               probabilities: scores, merged: LinearInput(values: merged, rounded: nil)) : nil
        return (y, cache)
    }

    /// `scaling` multiplies dy first (a drop-path mask), inside proj's backward.
    public func backward(_ dy: Tensor, scaledBy scaling: GradientScaling? = nil, cache: AttentionCache,
                         precision: Precision) -> Tensor {
        if !cache.heads.isEmpty { return backwardBFloat16(dy, scaledBy: scaling, cache: cache) }
        let (batch, tokens, width) = (dy.shape[0], dy.shape[1], heads * headWidth)
        let layout = Layout(batch: batch, tokens: tokens, heads: heads, headWidth: headWidth)
        let dMerged = proj.backward(dy, scaledBy: scaling, input: cache.merged, precision: precision)
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

    /// The bf16 path, from an input already rounded (by the norm before it, or by `forward`). With
    /// `residual` (inference) the result is residual + attention, added by proj's product as it writes.
    func forwardBFloat16(_ input: LinearInput, keepCache: Bool, addingTo residual: Tensor? = nil) -> (Tensor, AttentionCache?) {
        let (batch, tokens, width) = (input.shape[0], input.shape[1], heads * headWidth)
        let layout = Layout(batch: batch, tokens: tokens, heads: heads, headWidth: headWidth)
        // q, k, v feed bf16 products only: a float projection writes them in bf16 itself; an int8
        // one (or one observed for calibration) writes f32, rounded by the head-major copy.
        let writesBFloat16 = qkv.isFloat
        let projected = writesBFloat16 ? qkv.forwardRounded(input)
                                       : LinearInput(values: qkv.forward(input, precision: .bf16), rounded: nil)
        var headValues = [UInt16](uninitializedBFloat16: 3 * batch * width * tokens)
        var scores = Tensor(uninitialized: [batch, heads, tokens, tokens])
        var rounded = [UInt16](uninitializedBFloat16: scores.count)
        // O feeds proj's bf16 product only: PV writes it in bf16 for a float proj; an int8 (or
        // observed) proj needs O in f32.
        let mergesBFloat16 = proj.isFloat
        var merged = [UInt16](uninitializedBFloat16: mergesBFloat16 ? batch * tokens * width : 0)
        var mergedValues = Tensor(uninitialized: mergesBFloat16 ? [0] : [batch, tokens, width])
        let part = batch * tokens * width
        headValues.withUnsafeMutableBufferPointer { qkvHeads in
            let q = qkvHeads.baseAddress!, k = q + part, v = q + 2 * part
            if writesBFloat16 {
                projected.withRoundedValues { source in
                    gatherHeads(source, rowWidth: 3 * width, parts: 3, batch: batch, tokens: tokens,
                                heads: heads, headWidth: headWidth, into: q)
                }
            } else {
                projected.values!.data.withUnsafeBufferPointer { source in
                    gatherHeadsToBFloat16(source.baseAddress!, rowWidth: 3 * width, parts: 3, batch: batch,
                                          tokens: tokens, heads: heads, headWidth: headWidth, into: q)
                }
            }
            scores.data.withUnsafeMutableBufferPointer { s in
                MatMul.multiply(layout.product(m: tokens, n: tokens, k: headWidth, a: layout.head,
                                               b: layout.headTransposed, c: layout.square, bf16: true),
                                a: q, b: k, c: s.baseAddress!)
                rounded.withUnsafeMutableBufferPointer { p in
                    softmaxRowsRounded(s.baseAddress!, rounded: p.baseAddress!, rows: batch * heads * tokens,
                                       columns: tokens, scale: 1 / Float(headWidth).squareRoot())
                    var product = layout.product(m: tokens, n: headWidth, k: tokens, a: layout.square,
                                                 b: layout.head, c: layout.merged, bf16: true)
                    if mergesBFloat16 {
                        product.outputInBFloat16 = true
                        merged.withUnsafeMutableBufferPointer { o in
                            MatMul.multiply(product, a: p.baseAddress!, b: v, c: o.baseAddress!)
                        }
                    } else {
                        mergedValues.data.withUnsafeMutableBufferPointer { o in
                            MatMul.multiply(product, a: p.baseAddress!, b: v, c: o.baseAddress!)
                        }
                    }
                }
            }
        }
        let projInput = mergesBFloat16 ? LinearInput(rounded: merged, shape: [batch, tokens, width])
                                       : Linear.input(mergedValues, precision: .bf16)
        var y: Tensor
        if var sum = residual {
            proj.forward(projInput, addingInto: &sum, precision: .bf16)
            y = sum
        } else {
            y = proj.forward(projInput, precision: .bf16)
        }
        let cache = keepCache ? AttentionCache(input: input, projected: Tensor(zeros: [0]), probabilities: scores,
                                               merged: projInput, heads: headValues, roundedProbabilities: rounded) : nil
        return (y, cache)
    }

    private func backwardBFloat16(_ dy: Tensor, scaledBy scaling: GradientScaling?, cache: AttentionCache) -> Tensor {
        let (batch, tokens, width) = (dy.shape[0], dy.shape[1], heads * headWidth)
        let layout = Layout(batch: batch, tokens: tokens, heads: heads, headWidth: headWidth)
        let dMerged = proj.backward(dy, scaledBy: scaling, input: cache.merged, precision: .bf16)
        let part = batch * tokens * width
        var dOHeads = [UInt16](uninitializedBFloat16: part)
        var dScores = Tensor(uninitialized: [batch, heads, tokens, tokens])
        var roundedDScores = [UInt16](uninitializedBFloat16: dScores.count)
        // Every element is written: dq, dk and dv each fill their E columns of every row.
        var dProjected = Tensor(uninitialized: [batch, tokens, 3 * width])
        cache.heads.withUnsafeBufferPointer { qkvHeads in
            let q = qkvHeads.baseAddress!, k = q + part, v = q + 2 * part
            dOHeads.withUnsafeMutableBufferPointer { dO in
                dMerged.data.withUnsafeBufferPointer { source in
                    gatherHeadsToBFloat16(source.baseAddress!, rowWidth: width, parts: 1, batch: batch, tokens: tokens,
                                          heads: heads, headWidth: headWidth, into: dO.baseAddress!)
                }
                dProjected.data.withUnsafeMutableBufferPointer { dQKV in
                    let dq = dQKV.baseAddress!, dk = dq + width, dv = dq + 2 * width
                    dScores.data.withUnsafeMutableBufferPointer { dS in
                        MatMul.multiply(layout.product(m: tokens, n: tokens, k: headWidth, a: layout.head,
                                                       b: layout.headTransposed, c: layout.square, bf16: true),
                                        a: dO.baseAddress!, b: v, c: dS.baseAddress!)
                        cache.roundedProbabilities.withUnsafeBufferPointer { p in
                            MatMul.multiply(layout.product(m: tokens, n: headWidth, k: tokens, a: layout.squareTransposed,
                                                           b: layout.head, c: layout.fused, bf16: true),
                                            a: p.baseAddress!, b: dO.baseAddress!, c: dv)
                        }
                        roundedDScores.withUnsafeMutableBufferPointer { roundedDS in
                            cache.probabilities.data.withUnsafeBufferPointer { p in
                                softmaxRowsBackwardRounded(probabilities: p.baseAddress!, gradient: dS.baseAddress!,
                                                           rounded: roundedDS.baseAddress!,
                                                           rows: batch * heads * tokens, columns: tokens,
                                                           scale: 1 / Float(headWidth).squareRoot())
                            }
                            MatMul.multiply(layout.product(m: tokens, n: headWidth, k: tokens, a: layout.square,
                                                           b: layout.head, c: layout.fused, bf16: true),
                                            a: roundedDS.baseAddress!, b: k, c: dq)
                            MatMul.multiply(layout.product(m: tokens, n: headWidth, k: tokens, a: layout.squareTransposed,
                                                           b: layout.head, c: layout.fused, bf16: true),
                                            a: roundedDS.baseAddress!, b: q, c: dk)
                        }
                    }
                }
            }
        }
        return qkv.backward(dProjected, input: cache.input, precision: .bf16)!
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
        /// One part of the head-major [B, H, N, Dh] bf16 copies (q, k, v, dO): [N, Dh].
        var head: StridedOperand { StridedOperand([heads * tokens * headWidth, tokens * headWidth, headWidth, 1]) }
        var headTransposed: StridedOperand { StridedOperand([heads * tokens * headWidth, tokens * headWidth, 1, headWidth]) }

        func product(m: Int, n: Int, k: Int, a: StridedOperand, b: StridedOperand, c: StridedOperand,
                     bf16: Bool = false) -> StridedMatMulShape {
            StridedMatMulShape(batch: [batch, heads], m: m, n: n, k: k, a: a, b: b, c: c, inputsInBFloat16: bf16)
        }
    }
}
