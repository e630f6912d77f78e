// The pre-training decoder of the course report (section 2.2 (a)): patch tokens back to an image.
//   tokens [B, G*G, D] -> ConvTranspose2d(D -> C, kernel = stride = P): [B, C, S, S] -> GELU
//   -> Conv2d(C -> C, 3x3, padding 1) -> tanh: [B, C, S, S], the image scaled to [-1, 1]
// Parameters: decoder.deconv.weight [D, C, P, P], decoder.deconv.bias [C],
//             decoder.conv.weight [C, C, 3, 3], decoder.conv.bias [C]

public struct DecoderCache {
    var tokens: Tensor     // deconv input
    var painted: Tensor    // deconv output, GELU input
    var columns: Tensor    // conv input as im2col columns
    var output: Tensor     // tanh output
}

public struct ReconstructionDecoder {
    public let deconvolution: TransposedPatchConvolution
    public let convolution: Convolution3x3
    public let parameters: [Parameter]

    public static func shapes(_ config: ModelConfig) -> [(String, [Int])] {
        let (c, p) = (config.channels, config.patchSize)
        return [("decoder.deconv.weight", [config.dim, c, p, p]), ("decoder.deconv.bias", [c]),
                ("decoder.conv.weight", [c, c, 3, 3]), ("decoder.conv.bias", [c])]
    }

    /// PyTorch's defaults: weights and biases uniform in +-1/sqrt(fan_in), where ConvTranspose2d's
    /// fan_in is C*P*P (PyTorch reads it from the weight's second dimension) and Conv2d's is C*9.
    public static func initialValues(_ config: ModelConfig, generator: inout SeededGenerator) -> [String: Tensor] {
        var values: [String: Tensor] = [:]
        for (name, shape) in shapes(config) {
            let fanIn = Float(name.contains("deconv") ? config.patchFeatures : config.channels * 9)
            let bound = 1 / fanIn.squareRoot()
            values[name] = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
                (generator.nextUniform() * 2 - 1) * bound
            })
        }
        return values
    }

    /// A decoder from named values; every name of `shapes` must be present with its shape.
    public init(config: ModelConfig, values: [String: Tensor]) throws {
        guard config.tokenizer == .patch else {
            throw ConfigError(message: "pre-training reconstructs patches: it needs the patch tokenizer, not \(config.tokenizer)")
        }
        var byName: [String: Parameter] = [:]
        var parameters: [Parameter] = []
        for (name, shape) in Self.shapes(config) {
            guard let value = values[name] else { throw ConfigError(message: "missing decoder weight \(name)") }
            guard value.shape == shape else {
                throw ConfigError(message: "decoder weight \(name) has shape \(value.shape), expected \(shape)")
            }
            let parameter = Parameter(name: name, value: value, decays: name.hasSuffix(".weight"))
            byName[name] = parameter
            parameters.append(parameter)
        }
        self.parameters = parameters
        deconvolution = TransposedPatchConvolution(weight: byName["decoder.deconv.weight"]!,
                                                   bias: byName["decoder.deconv.bias"]!)
        convolution = Convolution3x3(weight: byName["decoder.conv.weight"]!, bias: byName["decoder.conv.bias"]!)
    }

    public func forward(_ tokens: Tensor, precision: Precision, keepCache: Bool) -> (Tensor, DecoderCache?) {
        let painted = deconvolution.forward(tokens, precision: precision)
        let (convolved, columns) = convolution.forward(GELU.forward(painted), precision: precision)
        let output = Tanh.forward(convolved)
        let cache = keepCache ? DecoderCache(tokens: tokens, painted: painted, columns: columns, output: output) : nil
        return (output, cache)
    }

    /// Adds into the decoder's parameter gradients; returns dTokens [B, G*G, D].
    public func backward(_ dy: Tensor, cache: DecoderCache, precision: Precision) -> Tensor {
        let dConvolved = Tanh.backward(dy, output: cache.output)
        let dActivated = convolution.backward(dConvolved, columns: cache.columns, inputShape: cache.painted.shape,
                                              precision: precision)
        let dPainted = GELU.backward(dActivated, input: cache.painted)
        return deconvolution.backward(dPainted, input: cache.tokens, precision: precision)
    }
}
