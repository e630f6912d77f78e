// Copies attention's operands from the token-major layout the linear layers use into the
// head-major layout where each (image, head) is one dense matrix, the layout oneDNN's bf16
// batched products run fastest on (brgemm; strided inputs fall back to a slower gemm). The copy
// rounds to bf16 on the way, so it costs no more than the conversion alone.
//   token-major: [B, N, R] rows, part p's head h at columns p*E + h*Dh ..< p*E + (h+1)*Dh (R = parts * E)
//   head-major:  [parts, B, H, N, Dh]

/// token-major f32 -> head-major bf16, for `parts` consecutive E-column groups of each row.
func gatherHeadsToBFloat16(_ source: UnsafePointer<Float>, rowWidth: Int, parts: Int, batch: Int, tokens: Int,
                           heads: Int, headWidth: Int, into destination: UnsafeMutablePointer<UInt16>) {
    let raw = UnsafeRawPointer(source).assumingMemoryBound(to: UInt32.self)
    visitHeadRows(rowWidth: rowWidth, parts: parts, batch: batch, tokens: tokens, heads: heads, headWidth: headWidth) {
        offset, target in bfloat16Kernel(raw + offset, destination + target, headWidth)
    }
}

/// token-major bf16 -> head-major bf16 (a plain copy of each head's row), for a projection that
/// wrote its output in bf16 itself.
func gatherHeads(_ source: UnsafePointer<UInt16>, rowWidth: Int, parts: Int, batch: Int, tokens: Int,
                 heads: Int, headWidth: Int, into destination: UnsafeMutablePointer<UInt16>) {
    visitHeadRows(rowWidth: rowWidth, parts: parts, batch: batch, tokens: tokens, heads: heads, headWidth: headWidth) {
        offset, target in (destination + target).update(from: source + offset, count: headWidth)
    }
}

/// Calls body(source offset, destination offset) for every head row (Dh elements), both cores.
@inline(__always)
private func visitHeadRows(rowWidth: Int, parts: Int, batch: Int, tokens: Int, heads: Int, headWidth: Int,
                           _ body: (Int, Int) -> Void) {
    let width = heads * headWidth
    parallelRanges(parts * batch, minimumPerWorker: 1) { range in
        for item in range {
            let (part, b) = (item / batch, item % batch)
            for h in 0..<heads {
                let target = ((item * heads + h) * tokens) * headWidth
                for n in 0..<tokens {
                    body((b * tokens + n) * rowWidth + part * width + h * headWidth, target + n * headWidth)
                }
            }
        }
    }
}
