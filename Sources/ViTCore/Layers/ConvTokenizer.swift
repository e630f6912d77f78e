// The Compact Convolutional Transformer's tokenizer: n layers of
//   3x3 convolution (no bias) -> ReLU -> 3x3 max pooling, stride 2, padding 1.
//   images [B, C0, S0, S0] -> channels-last [B, S0, S0, C0]
//   -> layer i: conv [B, Si, Si, C(i+1)] -> ReLU -> pool [B, S(i+1), S(i+1), C(i+1)]
//   (S(i+1) = (Si - 1) / 2 + 1: 32 -> 16 -> 8) -> tokens [B, G*G, D] (G = Sn, D = Cn, pixels row-major,
//   PyTorch's x.flatten(2).transpose(1, 2)): the last channels-last map is already that matrix.
//   Channels-last is the layout oneDNN's jit kernels take on every x86-64 CPU (Convolution, MaxPool).
//   backward, per layer from the last: dPooled -> MaxPool.backward -> times (ReLU output > 0)
//   -> dW += Convolution.backwardWeights; dInput = Convolution.backwardData (not needed for the images).
// In bf16 the convolutions' inputs are rounded to bf16 (Convolution); ReLU, pooling and every
// stored activation stay float32.

public struct ConvTokenizerCache {
    var inputs: [Tensor]       // each convolution's input
    var activated: [Tensor]    // each ReLU's output, the pooling's input
    var workspaces: [[UInt8]]  // each pooling's record of its windows' winners
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
        var cache = ConvTokenizerCache(inputs: [], activated: [], workspaces: [], precision: precision)
        var x = Self.channelsLast(images)
        for weight in weights {
            var activated = Convolution.forward(x, weights: weight.value, precision: precision)
            reluInPlace(&activated)
            let (pooled, workspace) = MaxPool.forward(activated, keepWorkspace: keepCache)
            if keepCache {
                cache.inputs.append(x)
                cache.activated.append(activated)
                cache.workspaces.append(workspace!)
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
        let pooledShape = MaxPool.outputShape(cache.activated.last!.shape)
        var dx = Tensor(shape: pooledShape, data: dTokens.data)
        for layer in weights.indices.reversed() {
            var dActivated = MaxPool.backward(dx, workspace: cache.workspaces[layer],
                                              inputShape: cache.activated[layer].shape)
            reluBackwardInPlace(&dActivated, output: cache.activated[layer])
            let needsDx = layer > 0 || needsInputGradient
            let dInput = Convolution.backward(dActivated, input: cache.inputs[layer], weights: weights[layer].value,
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

    private func reluInPlace(_ x: inout Tensor) {
        x.data.withUnsafeMutableBufferPointer { values in
            let base = values.baseAddress!
            parallelRanges(values.count) { range in reluKernel(base + range.lowerBound, range.count) }
        }
    }

    /// dy where the ReLU passed its input (output > 0), else 0.
    private func reluBackwardInPlace(_ dy: inout Tensor, output: Tensor) {
        output.data.withUnsafeBufferPointer { y in
            dy.data.withUnsafeMutableBufferPointer { gradient in
                let (outputs, gradients) = (y.baseAddress!, gradient.baseAddress!)
                parallelRanges(gradient.count) { range in
                    reluBackwardKernel(outputs + range.lowerBound, gradients + range.lowerBound, range.count)
                }
            }
        }
    }
}
