// The int8 forward of a quantized Linear (inference only).
//   x: [T, in] float -> q(x): [T, in] u8 (static scale, or this batch's own range when dynamic)
//   y: [T, out] = (s_x * s_w[n]) * sum_k (q(x)[t, k] - z_x) * q(W)[n, k] + b[n]
//   then optionally y = gelu(y) and y += residual [T, out], fused into the product's epilogue
// Only the product is int8; LayerNorm, softmax, GELU and residual adds stay float32.

extension Linear {
    /// The int8 forward with the MLP's GELU and/or skip connection fused in; needs `weight.quantized`.
    public func forwardInt8(_ x: Tensor, gelu: Bool = false, residual: Tensor? = nil) -> Tensor {
        weight.inputObserver?(x)
        return forwardInt8(x, weight.quantized!, gelu: gelu, residual: residual)
    }

    func forwardInt8(_ x: Tensor, _ quantized: QuantizedLinearWeights, gelu: Bool = false,
                     residual: Tensor? = nil) -> Tensor {
        let rows = x.count / inFeatures
        let outputShape = Array(x.shape.dropLast()) + [outFeatures]
        precondition(residual.map { $0.shape == outputShape } ?? true,
                     "Linear int8: residual \(residual!.shape) does not match the output \(outputShape)")
        var y = Tensor(uninitialized: outputShape)
        let biasValues = bias?.value.data ?? [], residualValues = residual?.data ?? []
        x.data.withUnsafeBufferPointer { input in
            let activation = quantized.input ?? ActivationQuantization(rangeOf: input.baseAddress!, count: x.count)
            let runtime = quantized.runtimeForm  // 7-bit weights where the CPU lacks VNNI
            let outputScales = runtime.scales.map { $0 * activation.scale }
            let bytes = Int8Context.shared.activationBuffer(count: x.count)
            quantizeToUInt8(input.baseAddress!, bytes, count: x.count, scale: activation.scale,
                            zeroPoint: activation.zeroPoint)
            outputScales.withUnsafeBufferPointer { scales in
                biasValues.withUnsafeBufferPointer { biasPointer in
                    residualValues.withUnsafeBufferPointer { residualPointer in
                        y.data.withUnsafeMutableBufferPointer { output in
                            Int8MatMul.multiply(rows: rows, a: bytes, zeroPoint: activation.zeroPoint,
                                                weights: runtime.weights, scales: scales.baseAddress!,
                                                bias: bias == nil ? nil : biasPointer.baseAddress!, gelu: gelu,
                                                residual: residual == nil ? nil : residualPointer.baseAddress!,
                                                c: output.baseAddress!)
                        }
                    }
                }
            }
        }
        return y
    }
}
