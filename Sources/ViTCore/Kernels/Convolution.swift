import CDNNL

// 3x3 convolution, stride 1, zero padding 1, no bias (PyTorch's Conv2d(Cin, Cout, 3, padding=1,
// bias=False)), as oneDNN primitives on plain nchw / oihw layouts; `reference` is the naive twin.
//   x: [B, Cin, S, S], W: [Cout, Cin, 3, 3] -> y: [B, Cout, S, S]
//   y[b, o, i, j] = sum over c, ky, kx of W[o, c, ky, kx] x[b, c, i + ky - 1, j + kx - 1] (zero outside)
//   backward: dx (oneDNN backward data), dW += the same sum with y's gradient (backward weights).
// Float32 only: the tokenizer's convolutions are a small share of a step (see ConvTokenizer).

public enum Convolution {
    struct Key: Hashable {
        enum Kind { case forward, backwardData, backwardWeights }
        var kind: Kind
        var batch: Int, inChannels: Int, outChannels: Int, size: Int
    }

    private static let cache = PrimitiveCache<Key>()

    public static func forward(_ x: Tensor, weights: Tensor) -> Tensor {
        let key = Self.key(.forward, input: x.shape, weights: weights.shape)
        var y = Tensor(uninitialized: [key.batch, key.outChannels, key.size, key.size])
        let primitive = compiled(key)
        x.data.withUnsafeBufferPointer { source in
            weights.data.withUnsafeBufferPointer { w in
                y.data.withUnsafeMutableBufferPointer { target in
                    primitive.run([vitc_dnnl_arg_src(): dataHandle(source), vitc_dnnl_arg_weights(): dataHandle(w),
                                   vitc_dnnl_arg_dst(): UnsafeMutableRawPointer(target.baseAddress!)])
                }
            }
        }
        return y
    }

    /// dx [B, Cin, S, S] for dy [B, Cout, S, S].
    public static func backwardData(_ dy: Tensor, weights: Tensor, inputShape: [Int]) -> Tensor {
        let key = Self.key(.backwardData, input: inputShape, weights: weights.shape)
        var dx = Tensor(uninitialized: inputShape)
        let primitive = compiled(key)
        dy.data.withUnsafeBufferPointer { gradOut in
            weights.data.withUnsafeBufferPointer { w in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    primitive.run([vitc_dnnl_arg_diff_dst(): dataHandle(gradOut), vitc_dnnl_arg_weights(): dataHandle(w),
                                   vitc_dnnl_arg_diff_src(): UnsafeMutableRawPointer(gradIn.baseAddress!)])
                }
            }
        }
        return dx
    }

    /// Adds dW [Cout, Cin, 3, 3] for input x and dy into `gradient`.
    public static func backwardWeights(_ x: Tensor, dy: Tensor, addingInto gradient: inout Tensor) {
        let key = Self.key(.backwardWeights, input: x.shape, weights: gradient.shape)
        var dW = Tensor(uninitialized: gradient.shape)
        let primitive = compiled(key)
        x.data.withUnsafeBufferPointer { source in
            dy.data.withUnsafeBufferPointer { gradOut in
                dW.data.withUnsafeMutableBufferPointer { target in
                    primitive.run([vitc_dnnl_arg_src(): dataHandle(source), vitc_dnnl_arg_diff_dst(): dataHandle(gradOut),
                                   vitc_dnnl_arg_diff_weights(): UnsafeMutableRawPointer(target.baseAddress!)])
                }
            }
        }
        for i in 0..<dW.count { gradient.data[i] += dW.data[i] }
    }

    /// Direct loops in Double: slow and obviously right, for tests.
    public static func reference(_ x: Tensor, weights: Tensor) -> Tensor {
        let (batch, inChannels, size) = (x.shape[0], x.shape[1], x.shape[2]), outChannels = weights.shape[0]
        var y = Tensor(zeros: [batch, outChannels, size, size])
        for b in 0..<batch { for o in 0..<outChannels { for i in 0..<size { for j in 0..<size {
            var sum = 0.0
            for c in 0..<inChannels { for ky in 0..<3 { for kx in 0..<3 {
                let (row, column) = (i + ky - 1, j + kx - 1)
                guard (0..<size).contains(row), (0..<size).contains(column) else { continue }
                sum += Double(weights.data[((o * inChannels + c) * 3 + ky) * 3 + kx])
                    * Double(x.data[((b * inChannels + c) * size + row) * size + column])
            } } }
            y.data[((b * outChannels + o) * size + i) * size + j] = Float(sum)
        } } } }
        return y
    }

    /// The oneDNN implementation that runs forward for these shapes (for tests and benchmarks).
    static func implementation(input: [Int], weights: [Int]) -> String {
        compiled(key(.forward, input: input, weights: weights)).implementation
    }

    private static func key(_ kind: Key.Kind, input: [Int], weights: [Int]) -> Key {
        precondition(input.count == 4 && input[2] == input[3] && weights.count == 4 && weights[1] == input[1]
                     && weights[2] == 3 && weights[3] == 3,
                     "Convolution: input \(input) and weights \(weights) are not [B, Cin, S, S] and [Cout, Cin, 3, 3]")
        return Key(kind: kind, batch: input[0], inChannels: input[1], outChannels: weights[0], size: input[2])
    }

    private static func compiled(_ key: Key) -> CompiledPrimitive {
        cache.primitive(key) {
            let s = key.size
            var source = CompiledPrimitive.plainDesc([key.batch, key.inChannels, s, s])
            var weights = CompiledPrimitive.plainDesc([key.outChannels, key.inChannels, 3, 3])
            var destination = CompiledPrimitive.plainDesc([key.batch, key.outChannels, s, s])
            let (strides, padding): ([Int64], [Int64]) = ([1, 1], [1, 1])
            var forward = dnnl_convolution_desc_t()
            check(dnnl_convolution_forward_desc_init(&forward, dnnl_forward_training, dnnl_convolution_direct,
                                                     &source, &weights, nil, &destination, strides, padding, padding),
                  "convolution forward desc for \(key)")
            switch key.kind {
            case .forward:
                return CompiledPrimitive(operation: &forward, arguments: [
                    (vitc_dnnl_arg_src(), source), (vitc_dnnl_arg_weights(), weights), (vitc_dnnl_arg_dst(), destination),
                ], what: "convolution forward")
            case .backwardData:
                let hint = CompiledPrimitive.forwardHint(operation: &forward, what: "convolution")
                defer { dnnl_primitive_desc_destroy(hint) }
                var operation = dnnl_convolution_desc_t()
                check(dnnl_convolution_backward_data_desc_init(&operation, dnnl_convolution_direct, &source, &weights,
                                                               &destination, strides, padding, padding),
                      "convolution backward data desc for \(key)")
                return CompiledPrimitive(operation: &operation, hint: hint, arguments: [
                    (vitc_dnnl_arg_diff_dst(), destination), (vitc_dnnl_arg_weights(), weights),
                    (vitc_dnnl_arg_diff_src(), source),
                ], what: "convolution backward data")
            case .backwardWeights:
                let hint = CompiledPrimitive.forwardHint(operation: &forward, what: "convolution")
                defer { dnnl_primitive_desc_destroy(hint) }
                var operation = dnnl_convolution_desc_t()
                check(dnnl_convolution_backward_weights_desc_init(&operation, dnnl_convolution_direct, &source, &weights,
                                                                  nil, &destination, strides, padding, padding),
                      "convolution backward weights desc for \(key)")
                return CompiledPrimitive(operation: &operation, hint: hint, arguments: [
                    (vitc_dnnl_arg_src(), source), (vitc_dnnl_arg_diff_dst(), destination),
                    (vitc_dnnl_arg_diff_weights(), weights),
                ], what: "convolution backward weights")
            }
        }
    }
}

/// A buffer's address as oneDNN's untyped, mutable data handle (oneDNN only reads inputs).
@inline(__always)
func dataHandle(_ buffer: UnsafeBufferPointer<Float>) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(mutating: buffer.baseAddress!)
}
