import ViTCore

// The QDQ form of an int8 layer, which ONNX Runtime fuses into int8 kernels:
//   x -> QuantizeLinear(input_scale, input_zero_point: uint8) -> DequantizeLinear -> MatMul / Conv
//   q (int8 initializer, as stored) -> DequantizeLinear(weight_scale [out], zero point 0, per channel)
// as vitc computes it (Linear+Int8): u = clamp(round(x / s_x) + z_x, 0, 255), ties to even,
// symmetric weights. Dynamic files have no input scale: DynamicQuantizeLinear takes each call's
// own range, [min(x, 0), max(x, 0)] over 255 levels with a rounded zero point, as vitc does.
// The stored 8-bit integers are exported (vitc's 7-bit form on CPUs without VNNI is a runtime
// choice, not the file's).

extension GraphWriter {
    /// x -> its quantized-dequantized value, as the int8 product sees it.
    mutating func quantizedActivation(_ x: String, _ input: ActivationQuantization?, layer: String) -> String {
        guard let input else {
            let parts = builder.node("DynamicQuantizeLinear", [x], outputs: [layer + ".input_q", layer + ".input_scale",
                                                                             layer + ".input_zero_point"])
            return builder.node("DequantizeLinear", parts, name: layer + ".input_dq")
        }
        let scale = builder.scalar(layer + ".input_scale", input.scale)
        let zeroPoint = builder.constant(layer + ".input_zero_point", uint8s: [UInt8(input.zeroPoint)], shape: [])
        let quantized = builder.node("QuantizeLinear", [x, scale, zeroPoint], name: layer + ".input_q")
        return builder.node("DequantizeLinear", [quantized, scale, zeroPoint], name: layer + ".input_dq")
    }

    /// A linear layer's int8 weight [out, in], transposed to MatMul's [in, out], dequantized per
    /// output channel (axis 1 of the transposed matrix).
    mutating func dequantizedMatrix(_ layer: String, _ quantized: QuantizedLinearWeights) -> String {
        let (rows, columns) = (quantized.shape[0], quantized.shape[1])
        let values = quantized.weights.values
        var transposed = [Int8](repeating: 0, count: values.count)
        for r in 0..<rows {
            for c in 0..<columns { transposed[c * rows + r] = values[r * columns + c] }
        }
        let weight = builder.constant(layer + ".weight", int8s: transposed, shape: [columns, rows])
        return dequantizedWeight(weight, layer, quantized, axis: 1)
    }

    /// A convolution's int8 kernel [O, C, kh, kw], dequantized per output channel (axis 0).
    mutating func dequantizedKernel(_ layer: String, _ quantized: QuantizedLinearWeights) -> String {
        let weight = builder.constant(layer + ".weight", int8s: quantized.weights.values, shape: quantized.shape)
        return dequantizedWeight(weight, layer, quantized, axis: 0)
    }

    private mutating func dequantizedWeight(_ weight: String, _ layer: String, _ quantized: QuantizedLinearWeights,
                                            axis: Int) -> String {
        let count = quantized.weightScales.count
        let scale = builder.constant(layer + ".weight_scale", floats: quantized.weightScales, shape: [count])
        let zeroPoint = builder.constant(layer + ".weight_zero_point", int8s: [Int8](repeating: 0, count: count),
                                         shape: [count])
        return builder.node("DequantizeLinear", [weight, scale, zeroPoint], name: layer + ".weight_dq",
                            attributes: [.int("axis", axis)])
    }
}
