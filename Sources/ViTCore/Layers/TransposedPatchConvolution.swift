// Transposed convolution with kernel = stride = P (PyTorch's ConvTranspose2d(D, C, P, stride=P)).
// The kernels do not overlap, so every token paints its own P x P patch: one product, then PatchGrid.join.
//   x: [B, G*G, D], W: [D, C, P, P] viewed as [D, C*P*P], b: [C]
//   forward:  patches = x W + b[c] on each of channel c's P*P pixels: [B, G*G, C*P*P] -> y: [B, C, S, S]
//   backward: dPatches = split(dy);  dx = dPatches W^T;  dW += x^T dPatches;  db[c] += sum of channel c's dPatches

public struct TransposedPatchConvolution {
    public let weight: Parameter  // [D, C, P, P]
    public let bias: Parameter    // [C]

    public init(weight: Parameter, bias: Parameter) {
        precondition(weight.shape.count == 4 && weight.shape[2] == weight.shape[3] && bias.shape == [weight.shape[1]],
                     "TransposedPatchConvolution: weight \(weight.shape) and bias \(bias.shape) do not fit [D, C, P, P], [C]")
        self.weight = weight
        self.bias = bias
    }

    public var width: Int { weight.shape[0] }
    public var channels: Int { weight.shape[1] }
    public var patchSize: Int { weight.shape[2] }
    private var features: Int { channels * patchSize * patchSize }

    public func forward(_ x: Tensor, precision: Precision) -> Tensor {
        let rows = x.count / width, area = patchSize * patchSize
        let expandedBias = bias.value.data.flatMap { [Float](repeating: $0, count: area) }
        var patches = Tensor(uninitialized: [x.shape[0], x.shape[1], features])
        x.data.withUnsafeBufferPointer { input in
            weight.value.data.withUnsafeBufferPointer { w in
                patches.data.withUnsafeMutableBufferPointer { output in
                    MatMul.multiply(MatMulShape(m: rows, n: features, k: width), a: input.baseAddress!,
                                    b: w.baseAddress!, c: output.baseAddress!, bias: expandedBias, precision: precision)
                }
            }
        }
        return PatchGrid.join(patches, channels: channels, patchSize: patchSize)
    }

    /// Adds into dW and db; returns dx [B, G*G, D].
    public func backward(_ dy: Tensor, input x: Tensor, precision: Precision) -> Tensor {
        let rows = x.count / width, area = patchSize * patchSize
        let dPatches = PatchGrid.split(dy, patchSize: patchSize)
        var dx = Tensor(uninitialized: x.shape)
        var columnSums = [Float](repeating: 0, count: features)
        dPatches.data.withUnsafeBufferPointer { gradOut in
            x.data.withUnsafeBufferPointer { input in
                weight.gradient.data.withUnsafeMutableBufferPointer { dW in
                    MatMul.multiply(MatMulShape(m: width, n: features, k: rows, transposeA: true),
                                    a: input.baseAddress!, b: gradOut.baseAddress!, c: dW.baseAddress!,
                                    accumulate: true, precision: precision)
                }
            }
            weight.value.data.withUnsafeBufferPointer { w in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    MatMul.multiply(MatMulShape(m: rows, n: width, k: features, transposeB: true),
                                    a: gradOut.baseAddress!, b: w.baseAddress!, c: gradIn.baseAddress!,
                                    precision: precision)
                }
            }
            columnSums.withUnsafeMutableBufferPointer { sums in
                addColumnSums(gradOut.baseAddress!, rows: rows, columns: features, into: sums.baseAddress!)
            }
        }
        for c in 0..<channels {
            bias.gradient.data[c] += columnSums[c * area ..< (c + 1) * area].reduce(0, +)
        }
        return dx
    }
}
