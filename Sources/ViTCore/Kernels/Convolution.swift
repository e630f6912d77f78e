import CDNNL

// 3x3 convolution, stride 1, zero padding 1, no bias (PyTorch's Conv2d(Cin, Cout, 3, padding=1,
// bias=False)), as oneDNN primitives on channels-last images; `reference` is the naive twin.
//   x: [B, S, S, Cin], W: [Cout, Cin, 3, 3] (PyTorch's layout) -> y: [B, S, S, Cout]
//   y[b, i, j, o] = sum over c, ky, kx of W[o, c, ky, kx] x[b, i + ky - 1, j + kx - 1, c] (zero outside)
//   backward: dx (oneDNN backward data), dW += the same sum with y's gradient (backward weights).
// Channels-last because that is where oneDNN has jit kernels on every x86-64 CPU (on plain nchw
// an AVX2 CPU falls back to im2col); the weights go to the blocked layout the kernel asks for
// through a reorder each call (they change every step; 37K values, a small cost).
// In bf16 (a CPU with native bf16) x, dy and the weights are rounded to bf16 on the way in (the
// weights by the same reorder) and every output (y, dx, dW) stays float32, as in MatMul: the
// tokenizer's convolutions were a fifth (teacher) to a half (student) of a bf16 step's oneDNN time
// while they ran in f32, and in bf16 they take about half as long. The first layer (3 input
// channels) stays f32: bf16 gains nothing there, and oneDNN 2.6's bf16 backward-weights kernel for
// it was measured 70 times slower than f32 in a training step. So does a shape oneDNN has no bf16
// kernel for (only its reference loops).

public enum Convolution {
    struct Key: Hashable {
        enum Kind { case forward, backwardData, backwardWeights }
        var kind: Kind
        var batch: Int, inChannels: Int, outChannels: Int, size: Int
        var bfloat16 = false
    }

    /// A primitive and the reorder between PyTorch's weight layout and the one it runs on
    /// (into it for forward and backward data, out of it for backward weights; nil when they agree).
    final class Compiled {
        let primitive: CompiledPrimitive
        let weightsReorder: CompiledReorder?

        init(primitive: CompiledPrimitive, weightsReorder: CompiledReorder?) {
            self.primitive = primitive
            self.weightsReorder = weightsReorder
        }
    }

    private static let cache = PrimitiveCache<Key, Compiled>()

    public static func forward(_ x: Tensor, weights: Tensor, precision: Precision = .f32) -> Tensor {
        let key = Self.key(.forward, input: x.shape, weights: weights.shape, precision: precision)
        var y = Tensor(uninitialized: [key.batch, key.size, key.size, key.outChannels])
        let compiled = compiled(key)
        withNativeWeights(weights, compiled) { w in
            withOperand(x, inBFloat16: key.bfloat16) { source in
                y.data.withUnsafeMutableBufferPointer { target in
                    compiled.primitive.run([vitc_dnnl_arg_src(): source, vitc_dnnl_arg_weights(): w,
                                            vitc_dnnl_arg_dst(): UnsafeMutableRawPointer(target.baseAddress!)])
                }
            }
        }
        return y
    }

    /// dx [B, S, S, Cin] for dy [B, S, S, Cout].
    public static func backwardData(_ dy: Tensor, weights: Tensor, inputShape: [Int], precision: Precision = .f32) -> Tensor {
        let key = Self.key(.backwardData, input: inputShape, weights: weights.shape, precision: precision)
        return withOperand(dy, inBFloat16: key.bfloat16) { gradOut in
            backwardData(gradOut, key: key, weights: weights, inputShape: inputShape)
        }
    }

    /// Adds dW [Cout, Cin, 3, 3] for input x and dy into `gradient`.
    public static func backwardWeights(_ x: Tensor, dy: Tensor, addingInto gradient: inout Tensor,
                                       precision: Precision = .f32) {
        let key = Self.key(.backwardWeights, input: x.shape, weights: gradient.shape, precision: precision)
        withOperand(dy, inBFloat16: key.bfloat16) { gradOut in
            backwardWeights(x, gradOut, key: key, addingInto: &gradient)
        }
    }

    /// Both backward products for one dy, rounded to bf16 once when they run in bf16: adds dW into
    /// `gradient` and returns dx, or nil when `needsInputGradient` is false.
    public static func backward(_ dy: Tensor, input x: Tensor, weights: Tensor, addingInto gradient: inout Tensor,
                                needsInputGradient: Bool, precision: Precision = .f32) -> Tensor? {
        let weightsKey = Self.key(.backwardWeights, input: x.shape, weights: gradient.shape, precision: precision)
        // `key` gives every kind of one shape the same type, so one rounding of dy serves both.
        let dataKey = Self.key(.backwardData, input: x.shape, weights: weights.shape, precision: precision)
        return withOperand(dy, inBFloat16: weightsKey.bfloat16) { gradOut in
            backwardWeights(x, gradOut, key: weightsKey, addingInto: &gradient)
            return needsInputGradient ? backwardData(gradOut, key: dataKey, weights: weights, inputShape: x.shape) : nil
        }
    }

    private static func backwardData(_ gradOut: UnsafeMutableRawPointer, key: Key, weights: Tensor,
                                     inputShape: [Int]) -> Tensor {
        var dx = Tensor(uninitialized: inputShape)
        let compiled = compiled(key)
        withNativeWeights(weights, compiled) { w in
            dx.data.withUnsafeMutableBufferPointer { gradIn in
                compiled.primitive.run([vitc_dnnl_arg_diff_dst(): gradOut, vitc_dnnl_arg_weights(): w,
                                        vitc_dnnl_arg_diff_src(): UnsafeMutableRawPointer(gradIn.baseAddress!)])
            }
        }
        return dx
    }

    private static func backwardWeights(_ x: Tensor, _ gradOut: UnsafeMutableRawPointer, key: Key,
                                        addingInto gradient: inout Tensor) {
        let compiled = compiled(key)
        var dW = Tensor(uninitialized: gradient.shape)
        var native = [Float](repeating: 0, count: (compiled.weightsReorder?.sourceBytes ?? 0) / 4)
        withOperand(x, inBFloat16: key.bfloat16) { source in
            dW.data.withUnsafeMutableBufferPointer { plain in
                native.withUnsafeMutableBufferPointer { blocked in
                    let target = UnsafeMutableRawPointer((compiled.weightsReorder == nil ? plain : blocked).baseAddress!)
                    compiled.primitive.run([vitc_dnnl_arg_src(): source, vitc_dnnl_arg_diff_dst(): gradOut,
                                            vitc_dnnl_arg_diff_weights(): target])
                    compiled.weightsReorder?.run(from: target, to: UnsafeMutableRawPointer(plain.baseAddress!))
                }
            }
        }
        for i in 0..<dW.count { gradient.data[i] += dW.data[i] }
    }

    /// `t`'s values as a primitive's input: the float32 buffer itself, or a bf16 copy.
    private static func withOperand<R>(_ t: Tensor, inBFloat16: Bool, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        t.data.withUnsafeBufferPointer { values in
            guard inBFloat16 else { return body(dataHandle(values)) }
            var rounded = [UInt16](uninitializedBFloat16: values.count)
            return rounded.withUnsafeMutableBufferPointer { bits in
                convertToBFloat16(values.baseAddress!, bits.baseAddress!, count: values.count)
                return body(UnsafeMutableRawPointer(bits.baseAddress!))
            }
        }
    }

    /// The weights as the primitive reads them: PyTorch's layout itself, or a reordered copy.
    private static func withNativeWeights(_ weights: Tensor, _ compiled: Compiled,
                                          _ body: (UnsafeMutableRawPointer) -> Void) {
        weights.data.withUnsafeBufferPointer { plain in
            guard let reorder = compiled.weightsReorder else { return body(dataHandle(plain)) }
            var native = [Float](repeating: 0, count: (reorder.destinationBytes + 3) / 4)
            native.withUnsafeMutableBytes { blocked in
                reorder.run(from: UnsafeRawPointer(plain.baseAddress!), to: blocked.baseAddress!)
                body(blocked.baseAddress!)
            }
        }
    }

    /// Direct loops in Double: slow and obviously right, for tests.
    public static func reference(_ x: Tensor, weights: Tensor) -> Tensor {
        let (batch, size, inChannels) = (x.shape[0], x.shape[1], x.shape[3]), outChannels = weights.shape[0]
        var y = Tensor(zeros: [batch, size, size, outChannels])
        for b in 0..<batch { for o in 0..<outChannels { for i in 0..<size { for j in 0..<size {
            var sum = 0.0
            for c in 0..<inChannels { for ky in 0..<3 { for kx in 0..<3 {
                let (row, column) = (i + ky - 1, j + kx - 1)
                guard (0..<size).contains(row), (0..<size).contains(column) else { continue }
                sum += Double(weights.data[((o * inChannels + c) * 3 + ky) * 3 + kx])
                    * Double(x.data[((b * size + row) * size + column) * inChannels + c])
            } } }
            y.data[((b * size + i) * size + j) * outChannels + o] = Float(sum)
        } } } }
        return y
    }

    /// The oneDNN implementation that runs forward for these shapes (for tests and benchmarks).
    static func implementation(input: [Int], weights: [Int], precision: Precision = .f32) -> String {
        compiled(key(.forward, input: input, weights: weights, precision: precision)).primitive.implementation
    }

    /// Whether the convolution of these shapes runs in bf16 for `precision` (see the top of the file).
    static func runsInBFloat16(input: [Int], weights: [Int], precision: Precision) -> Bool {
        key(.forward, input: input, weights: weights, precision: precision).bfloat16
    }

    private static func key(_ kind: Key.Kind, input: [Int], weights: [Int], precision: Precision = .f32) -> Key {
        precondition(input.count == 4 && input[1] == input[2] && weights.count == 4 && weights[1] == input[3]
                     && weights[2] == 3 && weights[3] == 3,
                     "Convolution: input \(input) and weights \(weights) are not [B, S, S, Cin] and [Cout, Cin, 3, 3]")
        var key = Key(kind: kind, batch: input[0], inChannels: input[3], outChannels: weights[0], size: input[1])
        guard precision.productsInBFloat16, key.inChannels % 16 == 0 else { return key }
        key.bfloat16 = true
        // Every kind of a shape runs in the same type, so a backward pass converts dy once.
        let forward = Key(kind: .forward, batch: key.batch, inChannels: key.inChannels,
                          outChannels: key.outChannels, size: key.size, bfloat16: true)
        key.bfloat16 = hasBFloat16Kernels.primitive(forward) {
            [Key.Kind.forward, .backwardData, .backwardWeights].allSatisfy { kind in
                var probe = forward
                probe.kind = kind
                return !compiled(probe).primitive.implementation.hasPrefix("ref")
            }
        }
        return key
    }

    private static let hasBFloat16Kernels = PrimitiveCache<Key, Bool>()

    private static func compiled(_ key: Key) -> Compiled {
        cache.primitive(key) {
            let s = key.size
            // In bf16 the inputs (x, dy, the weights) are bf16 and the outputs (y, dx, dW) float32;
            // the forward descriptor (also the backward primitives' hint) has the forward's types.
            let input = key.bfloat16 ? dnnl_bf16 : dnnl_f32
            let image = { (channels: Int, type: dnnl_data_type_t) in
                CompiledPrimitive.channelsLastDesc(batch: key.batch, channels: channels, size: s, type: type)
            }
            let weightDims = [key.outChannels, key.inChannels, 3, 3]
            let plainWeights = CompiledPrimitive.plainDesc(weightDims)
            var weights = CompiledPrimitive.anyDesc(weightDims, type: input)
            var (source, destination) = (image(key.inChannels, input), image(key.outChannels, dnnl_f32))
            let (strides, padding): ([Int64], [Int64]) = ([1, 1], [1, 1])
            var forward = dnnl_convolution_desc_t()
            check(dnnl_convolution_forward_desc_init(&forward, dnnl_forward_training, dnnl_convolution_direct,
                                                     &source, &weights, nil, &destination, strides, padding, padding),
                  "convolution forward desc for \(key)")
            switch key.kind {
            case .forward: break
            case .backwardData: (source, destination) = (image(key.inChannels, dnnl_f32), image(key.outChannels, input))
            case .backwardWeights:
                destination = image(key.outChannels, input)
                weights = CompiledPrimitive.anyDesc(weightDims, type: dnnl_f32)
            }
            let primitive: CompiledPrimitive, weightsArgument: Int32
            switch key.kind {
            case .forward:
                weightsArgument = vitc_dnnl_arg_weights()
                primitive = CompiledPrimitive(operation: &forward, arguments: [
                    (vitc_dnnl_arg_src(), source), (weightsArgument, weights), (vitc_dnnl_arg_dst(), destination),
                ], what: "convolution forward")
            case .backwardData:
                let hint = CompiledPrimitive.forwardHint(operation: &forward, what: "convolution")
                defer { dnnl_primitive_desc_destroy(hint) }
                var operation = dnnl_convolution_desc_t()
                check(dnnl_convolution_backward_data_desc_init(&operation, dnnl_convolution_direct, &source, &weights,
                                                               &destination, strides, padding, padding),
                      "convolution backward data desc for \(key)")
                weightsArgument = vitc_dnnl_arg_weights()
                primitive = CompiledPrimitive(operation: &operation, hint: hint, arguments: [
                    (vitc_dnnl_arg_diff_dst(), destination), (weightsArgument, weights),
                    (vitc_dnnl_arg_diff_src(), source),
                ], what: "convolution backward data")
            case .backwardWeights:
                let hint = CompiledPrimitive.forwardHint(operation: &forward, what: "convolution")
                defer { dnnl_primitive_desc_destroy(hint) }
                var operation = dnnl_convolution_desc_t()
                check(dnnl_convolution_backward_weights_desc_init(&operation, dnnl_convolution_direct, &source, &weights,
                                                                  nil, &destination, strides, padding, padding),
                      "convolution backward weights desc for \(key)")
                weightsArgument = vitc_dnnl_arg_diff_weights()
                primitive = CompiledPrimitive(operation: &operation, hint: hint, arguments: [
                    (vitc_dnnl_arg_src(), source), (vitc_dnnl_arg_diff_dst(), destination),
                    (weightsArgument, weights),
                ], what: "convolution backward weights")
            }
            let native = primitive.layouts[weightsArgument]!
            let reorder = key.kind == .backwardWeights
                ? CompiledReorder(from: native, to: plainWeights, what: "convolution weight gradient")
                : CompiledReorder(from: plainWeights, to: native, what: "convolution weights")
            return Compiled(primitive: primitive, weightsReorder: reorder)
        }
    }
}

/// A buffer's address as oneDNN's untyped, mutable data handle (oneDNN only reads inputs).
@inline(__always)
func dataHandle(_ buffer: UnsafeBufferPointer<Float>) -> UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(mutating: buffer.baseAddress!)
}
