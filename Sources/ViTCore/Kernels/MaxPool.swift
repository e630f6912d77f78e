import CDNNL

// 3x3 max pooling, stride 2, padding 1 (PyTorch's MaxPool2d(3, 2, 1): the padding never wins),
// as oneDNN primitives on channels-last images (where every x86-64 CPU has a jit kernel; on
// plain nchw an AVX2 CPU gets a reference loop, 5x slower); `reference` is the naive twin.
//   x: [B, S, S, C] -> y: [B, T, T, C], T = (S - 1) / 2 + 1 (32 -> 16 -> 8)
//   y[b, i, j, c] = max over ky, kx in 0..<3 of x[b, 2i + ky - 1, 2j + kx - 1, c] (inside the image)
//   backward: each dy goes to the input that won its window, recorded in the workspace at forward.

public enum MaxPool {
    struct Key: Hashable {
        enum Kind { case inference, training, backward }
        var kind: Kind
        var batch: Int, channels: Int, size: Int
    }

    private static let cache = PrimitiveCache<Key, CompiledPrimitive>()

    public static func outputSize(_ size: Int) -> Int { (size - 1) / 2 + 1 }

    /// [B, T, T, C] for an input of [B, S, S, C].
    public static func outputShape(_ inputShape: [Int]) -> [Int] {
        [inputShape[0], outputSize(inputShape[1]), outputSize(inputShape[2]), inputShape[3]]
    }

    /// y, and with `keepWorkspace` the record of each window's winner that backward needs.
    public static func forward(_ x: Tensor, keepWorkspace: Bool) -> (Tensor, workspace: [UInt8]?) {
        let key = Key(kind: keepWorkspace ? .training : .inference, batch: x.shape[0], channels: x.shape[3],
                      size: x.shape[1])
        let primitive = compiled(key)
        var y = Tensor(uninitialized: [key.batch, outputSize(key.size), outputSize(key.size), key.channels])
        var workspace = [UInt8](repeating: 0, count: max(1, primitive.workspaceBytes))
        x.data.withUnsafeBufferPointer { source in
            y.data.withUnsafeMutableBufferPointer { target in
                workspace.withUnsafeMutableBytes { record in
                    primitive.run([vitc_dnnl_arg_src(): dataHandle(source),
                                   vitc_dnnl_arg_dst(): UnsafeMutableRawPointer(target.baseAddress!),
                                   vitc_dnnl_arg_workspace(): record.baseAddress!])
                }
            }
        }
        return (y, keepWorkspace ? workspace : nil)
    }

    /// dx [B, S, S, C] for dy [B, T, T, C] and the forward's workspace.
    public static func backward(_ dy: Tensor, workspace: [UInt8], inputShape: [Int]) -> Tensor {
        let key = Key(kind: .backward, batch: inputShape[0], channels: inputShape[3], size: inputShape[1])
        let primitive = compiled(key)
        var dx = Tensor(uninitialized: inputShape)
        dy.data.withUnsafeBufferPointer { gradOut in
            dx.data.withUnsafeMutableBufferPointer { gradIn in
                workspace.withUnsafeBytes { bytes in
                    primitive.run([vitc_dnnl_arg_diff_dst(): dataHandle(gradOut),
                                   vitc_dnnl_arg_diff_src(): UnsafeMutableRawPointer(gradIn.baseAddress!),
                                   vitc_dnnl_arg_workspace(): UnsafeMutableRawPointer(mutating: bytes.baseAddress!)])
                }
            }
        }
        return dx
    }

    /// Direct loops: slow and obviously right, for tests.
    public static func reference(_ x: Tensor) -> Tensor {
        let (batch, size, channels) = (x.shape[0], x.shape[1], x.shape[3]), out = outputSize(size)
        var y = Tensor(zeros: [batch, out, out, channels])
        for b in 0..<batch { for i in 0..<out { for j in 0..<out { for c in 0..<channels {
            var best = -Float.infinity
            for ky in 0..<3 { for kx in 0..<3 {
                let (row, column) = (2 * i + ky - 1, 2 * j + kx - 1)
                guard (0..<size).contains(row), (0..<size).contains(column) else { continue }
                best = max(best, x.data[((b * size + row) * size + column) * channels + c])
            } }
            y.data[((b * out + i) * out + j) * channels + c] = best
        } } } }
        return y
    }

    private static func compiled(_ key: Key) -> CompiledPrimitive {
        cache.primitive(key) {
            let (s, t) = (key.size, outputSize(key.size))
            var source = CompiledPrimitive.channelsLastDesc(batch: key.batch, channels: key.channels, size: s)
            var destination = CompiledPrimitive.channelsLastDesc(batch: key.batch, channels: key.channels, size: t)
            // oneDNN wants the right padding that makes the last window end exactly at the edge.
            let right = Int64((t - 1) * 2 + 3 - s - 1)
            let (strides, kernel, left, rightPadding): ([Int64], [Int64], [Int64], [Int64]) = ([2, 2], [3, 3], [1, 1], [right, right])
            var forward = dnnl_pooling_desc_t()
            check(dnnl_pooling_forward_desc_init(&forward, key.kind == .inference ? dnnl_forward_inference : dnnl_forward_training,
                                                 dnnl_pooling_max, &source, &destination, strides, kernel, left, rightPadding),
                  "max pooling forward desc for \(key)")
            switch key.kind {
            case .inference, .training:
                return CompiledPrimitive(operation: &forward, arguments: [
                    (vitc_dnnl_arg_src(), source), (vitc_dnnl_arg_dst(), destination),
                ], hasWorkspace: key.kind == .training, what: "max pooling forward")
            case .backward:
                let hint = CompiledPrimitive.forwardHint(operation: &forward, what: "max pooling")
                defer { dnnl_primitive_desc_destroy(hint) }
                var operation = dnnl_pooling_desc_t()
                check(dnnl_pooling_backward_desc_init(&operation, dnnl_pooling_max, &source, &destination,
                                                      strides, kernel, left, rightPadding),
                      "max pooling backward desc for \(key)")
                return CompiledPrimitive(operation: &operation, hint: hint, arguments: [
                    (vitc_dnnl_arg_diff_dst(), destination), (vitc_dnnl_arg_diff_src(), source),
                ], hasWorkspace: true, what: "max pooling backward")
            }
        }
    }
}
