// Copies attention's operands from the token-major layout the linear layers use into the
// head-major layout where each (image, head) is one dense matrix, the layout oneDNN's bf16
// batched products run fastest on (brgemm; strided inputs fall back to a slower gemm). The copy
// rounds to bf16 on the way, so it costs no more than the conversion alone.
//   token-major: [B, N, R] rows, part p's head h at columns p*E + h*Dh ..< p*E + (h+1)*Dh (R = parts * E)
//   head-major:  [parts, B, H, N, Dh]

/// token-major f32 -> head-major bf16, for `parts` consecutive E-column groups of each row.
func gatherHeadsToBFloat16(_ source: UnsafePointer<Float>, rowWidth: Int, parts: Int, batch: Int, tokens: Int,
                           heads: Int, headWidth: Int, into destination: UnsafeMutablePointer<UInt16>) {
    let width = heads * headWidth
    let raw = UnsafeRawPointer(source).assumingMemoryBound(to: UInt32.self)
    parallelRanges(parts * batch, minimumPerWorker: 1) { range in
        for item in range {
            let (part, b) = (item / batch, item % batch)
            for h in 0..<heads {
                let target = destination + ((item * heads + h) * tokens) * headWidth
                for n in 0..<tokens {
                    let offset = (b * tokens + n) * rowWidth + part * width + h * headWidth
                    bfloat16Kernel(raw + offset, target + n * headWidth, headWidth)
                }
            }
        }
    }
}
