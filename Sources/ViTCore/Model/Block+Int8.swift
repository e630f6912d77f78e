// Inference of a block whose MLP layers are int8 (see Block for the float form):
//   x1 = x + attn(norm1(x))                       qkv and proj int8 when quantized
//   y  = x1 + fc2(gelu(fc1(norm2(x1))))           fc1 runs with GELU fused, fc2 with the skip
//                                                 connection fused: two fewer passes over [B, N, M]
// Same arithmetic as the float path (GELU and the add still happen in float32, in the int8
// kernel's epilogue), minus the tensors that those separate passes would allocate.

extension Block {
    /// Whether `forward` takes the fused int8 path (no cache, no dropout or drop-path).
    func runsFusedInt8(keepCache: Bool, generator: SeededGenerator?) -> Bool {
        !keepCache && ((dropout == 0 && dropPath == 0) || generator == nil) && fc1.weight.quantized != nil && fc2.weight.quantized != nil
    }

    func forwardFusedInt8(_ x: Tensor, precision: Precision) -> Tensor {
        let (normed1, _) = norm1.forward(x, keepCache: false)
        let (attended, _) = attention.forward(normed1, precision: precision, keepCache: false)
        let x1 = add(x, attended)
        let (normed2, _) = norm2.forward(x1, keepCache: false)
        let activated = fc1.forwardInt8(normed2, gelu: true)
        return fc2.forwardInt8(activated, residual: x1)
    }
}
