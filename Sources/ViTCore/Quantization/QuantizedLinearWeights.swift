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

    /// The weights and scales the int8 product runs with on this CPU. With VNNI, the stored
    /// ones. Without VNNI (AVX2, AVX-512 before Cascade Lake), oneDNN adds each pair of u8·s8
    /// products in 16 bits with saturation (vpmaddubsw): 2 x 255 x 127 overflows 32,767, so
    /// large activations meeting large weights were clipped (measured on AVX2: the student's
    /// int8 accuracy fell 0.28 points). Halving the weights to 7 bits (|q| <= 64, scale x 2)
    /// keeps every pair within 2 x 255 x 64 = 32,640, as oneDNN's int8 guide recommends.
    public var runtimeForm: (weights: Int8Weights, scales: [Float]) {
        CPUCapabilities.current.vnni ? (weights, weightScales) : sevenBit
    }

    private lazy var sevenBit: (weights: Int8Weights, scales: [Float]) = Self.sevenBitForm(weights, weightScales)

    /// q7 = round(q / 2) (ties to even, so |q7| <= 64), scale x 2.
    static func sevenBitForm(_ weights: Int8Weights, _ scales: [Float]) -> (weights: Int8Weights, scales: [Float]) {
        let halved = weights.values.map { Int8((Float($0) / 2).rounded(.toNearestOrEven)) }
        return (Int8Weights(values: halved, outFeatures: weights.outFeatures, inFeatures: weights.inFeatures),
                scales.map { $0 * 2 })
    }

    /// q * scale in the weight's shape: what the int8 product multiplies by.
    public var dequantized: Tensor {
        WeightQuantization.dequantize(weights.values, scales: weightScales, shape: shape)
    }
}
