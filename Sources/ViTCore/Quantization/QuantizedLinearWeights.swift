/// The int8 form of one linear layer's weight, attached to its `Parameter` (`quantized`);
/// `Linear.forward` then runs the int8 product. Inference only: there is no int8 backward.
public final class QuantizedLinearWeights {
    /// q: [N, K], W[n, :] ~ q[n, :] * weightScales[n].
    public let weights: Int8Weights
    public let weightScales: [Float]
    /// The weight's own shape ([N, K], or [D, C, P, P] for the patch embedding).
    public let shape: [Int]
    /// Static quantization of the layer's input, from calibration; nil for dynamic
    /// quantization, where every call uses the range of its own input.
    public let input: ActivationQuantization?

    public init(values: [Int8], weightScales: [Float], shape: [Int], input: ActivationQuantization?) {
        precondition(weightScales.count == shape[0] && weightScales.allSatisfy { $0 > 0 && $0.isFinite },
                     "QuantizedLinearWeights: need \(shape[0]) positive finite scales")
        weights = Int8Weights(values: values, outFeatures: shape[0], inFeatures: values.count / max(1, shape[0]))
        self.weightScales = weightScales
        self.shape = shape
        self.input = input
    }

    /// Per-channel symmetric quantization of a float weight.
    public convenience init(quantizing weight: Tensor, input: ActivationQuantization?) {
        let (values, scales) = WeightQuantization.quantize(weight)
        self.init(values: values, weightScales: scales, shape: weight.shape, input: input)
    }

    /// q * scale in the weight's shape: what the int8 product multiplies by.
    public var dequantized: Tensor {
        WeightQuantization.dequantize(weights.values, scales: weightScales, shape: shape)
    }
}
