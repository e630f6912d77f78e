// The Compact Convolutional Transformer's tokenizer: n layers of
//   3x3 convolution (no bias) -> ReLU -> 3x3 max pooling, stride 2, padding 1.
//   images [B, C0, S0, S0] -> channels-last [B, S0, S0, C0]
//   -> layer i: conv [B, Si, Si, C(i+1)] -> ReLU -> pool [B, S(i+1), S(i+1), C(i+1)]
//   (S(i+1) = (Si - 1) / 2 + 1: 32 -> 16 -> 8) -> tokens [B, G*G, D] (G = Sn, D = Cn, pixels row-major,
//   PyTorch's x.flatten(2).transpose(1, 2)): the last channels-last map is already that matrix.
//   Channels-last is the layout oneDNN's jit kernels take on every x86-64 CPU (Convolution, MaxPool).
//   ReLU and pooling run as one pass (MaxPool's rectified forward: max(0, window maximum)), so the
//   ReLU's full-size output is never written.
//   backward, per layer from the last: dPooled -> MaxPool.backward (each dy to its window's winner,
//   none where the ReLU blocked) -> dW += Convolution.backwardWeights; dInput = Convolution.backwardData
//   (not needed for the images).
// In bf16 the convolutions' inputs are rounded to bf16 (Convolution); ReLU, pooling and every
// stored activation stay float32.

public struct ConvTokenizerCache {
    var inputs: [Tensor]       // each convolution's input
    var convolvedShapes: [[Int]]  // each convolution's output shape, the pooling's input
    var winners: [[UInt8]]        // each pooling's record of its windows' winners
    var precision: Precision   // the forward's, which backward keeps
}

public struct ConvTokenizer {
    /// Layer i's convolution weight [C(i+1), Ci, 3, 3] (`tokenizer.conv_layers.{i}.0.weight`).
    public let weights: [Parameter]

    public init(weights: [Parameter]) {
        precondition(!weights.isEmpty, "ConvTokenizer needs at least one layer")
        self.weights = weights
    }

    /// The tokens and, with `keepCache`, what backward needs.
    public func forward(_ images: Tensor, precision: Precision = .f32, keepCache: Bool) -> (Tensor, ConvTokenizerCache?) {
        var cache = ConvTokenizerCache(inputs: [], convolvedShapes: [], winners: [], precision: precision)
        var x = Self.channelsLast(images)
        for weight in weights {
            let convolved = Convolution.forward(x, weights: weight.value, precision: precision)
            let (pooled, winners) = MaxPool.forward(convolved, rectified: true, keepWinners: keepCache)
            if keepCache {
                cache.inputs.append(x)
                cache.convolvedShapes.append(convolved.shape)
                cache.winners.append(winners!)
            }
            x = pooled
        }
        let (grid, width) = (x.shape[1], x.shape[3])
        return (Tensor(shape: [x.shape[0], grid * grid, width], data: x.data), keepCache ? cache : nil)
    }

    /// Adds every weight's gradient for dTokens [B, G*G, D]; returns dImages only when asked
    /// (the images are data, so the model never asks).
    @discardableResult
    public func backward(_ dTokens: Tensor, cache: ConvTokenizerCache, needsInputGradient: Bool = false) -> Tensor? {
        let pooledShape = MaxPool.outputShape(cache.convolvedShapes.last!)
        var dx = Tensor(shape: pooledShape, data: dTokens.data)
        for layer in weights.indices.reversed() {
            let dConvolved = MaxPool.backward(dx, winners: cache.winners[layer], inputShape: cache.convolvedShapes[layer])
            let needsDx = layer > 0 || needsInputGradient
            let dInput = Convolution.backward(dConvolved, input: cache.inputs[layer], weights: weights[layer].value,
                                              addingInto: &weights[layer].gradient, needsInputGradient: needsDx,
                                              precision: cache.precision)
            guard let dInput else { return nil }
            dx = dInput
        }
        return Convolution3x3.swapLastTwo(dx, toChannelsFirst: true, channels: dx.shape[3])
    }

    /// [B, C, S, S] -> [B, S, S, C].
    static func channelsLast(_ images: Tensor) -> Tensor {
        let (batch, channels, size) = (images.shape[0], images.shape[1], images.shape[2])
        let pixels = Convolution3x3.swapLastTwo(images, toChannelsFirst: false, channels: channels)
        return Tensor(shape: [batch, size, size, channels], data: pixels.data)
    }
}
