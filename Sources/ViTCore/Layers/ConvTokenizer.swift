// The Compact Convolutional Transformer's tokenizer: n layers of
//   3x3 convolution (no bias) -> ReLU -> 3x3 max pooling, stride 2, padding 1.
//   images [B, C0, S0, S0] -> layer i: conv [B, C(i+1), Si, Si] -> ReLU -> pool [B, C(i+1), S(i+1), S(i+1)]
//   (S(i+1) = (Si - 1) / 2 + 1: 32 -> 16 -> 8) -> tokens [B, G*G, D] (G = Sn, D = Cn, pixels row-major,
//   PyTorch's x.flatten(2).transpose(1, 2)).
//   backward, per layer from the last: dPooled -> MaxPool.backward -> times (ReLU output > 0)
//   -> dW += Convolution.backwardWeights; dInput = Convolution.backwardData (not needed for the images).
// Always float32: the convolutions do not go through MatMul, and oneDNN's bf16 convolution would
// need converted copies of every activation for a layer that is a small share of a step.

public struct ConvTokenizerCache {
    var inputs: [Tensor]       // each convolution's input
    var activated: [Tensor]    // each ReLU's output, the pooling's input
    var workspaces: [[UInt8]]  // each pooling's record of its windows' winners
}

public struct ConvTokenizer {
    /// Layer i's convolution weight [C(i+1), Ci, 3, 3] (`tokenizer.conv_layers.{i}.0.weight`).
    public let weights: [Parameter]

    public init(weights: [Parameter]) {
        precondition(!weights.isEmpty, "ConvTokenizer needs at least one layer")
        self.weights = weights
    }

    /// The tokens and, with `keepCache`, what backward needs.
    public func forward(_ images: Tensor, keepCache: Bool) -> (Tensor, ConvTokenizerCache?) {
        var cache = ConvTokenizerCache(inputs: [], activated: [], workspaces: [])
        var x = images
        for weight in weights {
            var activated = Convolution.forward(x, weights: weight.value)
            reluInPlace(&activated)
            let (pooled, workspace) = MaxPool.forward(activated, keepWorkspace: keepCache)
            if keepCache {
                cache.inputs.append(x)
                cache.activated.append(activated)
                cache.workspaces.append(workspace!)
            }
            x = pooled
        }
        let width = weights.last!.shape[0]
        return (Convolution3x3.swapLastTwo(x, toChannelsFirst: false, channels: width), keepCache ? cache : nil)
    }

    /// Adds every weight's gradient for dTokens [B, G*G, D]; returns dImages only when asked
    /// (the images are data, so the model never asks).
    @discardableResult
    public func backward(_ dTokens: Tensor, cache: ConvTokenizerCache, needsInputGradient: Bool = false) -> Tensor? {
        var dx = Convolution3x3.swapLastTwo(dTokens, toChannelsFirst: true, channels: weights.last!.shape[0])
        for layer in weights.indices.reversed() {
            var dActivated = MaxPool.backward(dx, workspace: cache.workspaces[layer],
                                              inputShape: cache.activated[layer].shape)
            reluBackwardInPlace(&dActivated, output: cache.activated[layer])
            Convolution.backwardWeights(cache.inputs[layer], dy: dActivated, addingInto: &weights[layer].gradient)
            guard layer > 0 || needsInputGradient else { return nil }
            dx = Convolution.backwardData(dActivated, weights: weights[layer].value, inputShape: cache.inputs[layer].shape)
        }
        return dx
    }

    private func reluInPlace(_ x: inout Tensor) {
        x.data.withUnsafeMutableBufferPointer { values in
            for i in values.indices where values[i] < 0 { values[i] = 0 }
        }
    }

    /// dy where the ReLU passed its input (output > 0), else 0.
    private func reluBackwardInPlace(_ dy: inout Tensor, output: Tensor) {
        output.data.withUnsafeBufferPointer { y in
            dy.data.withUnsafeMutableBufferPointer { gradient in
                for i in gradient.indices where y[i] <= 0 { gradient[i] = 0 }
            }
        }
    }
}
