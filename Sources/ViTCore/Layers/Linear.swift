import Foundation

// Linear layer, PyTorch layout.
//   x: [T, in] (T = all leading dims), W: [out, in], b: [out]
//   forward:  y[T, out] = x W^T + b
//   backward: dx = dy W;  dW += dy^T x;  db += sum over T of dy

public struct Linear {
    public let weight: Parameter
    public let bias: Parameter?
    /// Columns of the weight viewed as [out, in] (a conv weight [D, C, P, P] has in = C*P*P).
    public var inFeatures: Int { weight.count / weight.shape[0] }
    public var outFeatures: Int { weight.shape[0] }

    public init(weight: Parameter, bias: Parameter?) {
        self.weight = weight
        self.bias = bias
    }

    /// A quantized weight (`weight.quantized`) runs the int8 product whatever `precision` says.
    public func forward(_ x: Tensor, precision: Precision) -> Tensor {
        weight.inputObserver?(x)
        if let quantized = weight.quantized { return forwardInt8(x, quantized) }
        let rows = x.count / inFeatures
        var y = Tensor(uninitialized: Array(x.shape.dropLast()) + [outFeatures])
        let shape = MatMulShape(m: rows, n: outFeatures, k: inFeatures, transposeB: true)
        x.data.withUnsafeBufferPointer { input in
            weight.value.data.withUnsafeBufferPointer { w in
                y.data.withUnsafeMutableBufferPointer { output in
                    if let bias {
                        bias.value.data.withUnsafeBufferPointer { b in
                            MatMul.multiply(shape, a: input.baseAddress!, b: w.baseAddress!,
                                            c: output.baseAddress!, bias: b.baseAddress!, precision: precision)
                        }
                    } else {
                        MatMul.multiply(shape, a: input.baseAddress!, b: w.baseAddress!,
                                        c: output.baseAddress!, precision: precision)
                    }
                }
            }
        }
        return y
    }

    /// Adds into the parameter gradients; returns dx unless `needsInputGradient` is false.
    @discardableResult
    public func backward(_ dy: Tensor, input x: Tensor, precision: Precision,
                         needsInputGradient: Bool = true) -> Tensor? {
        precondition(weight.quantized == nil, "Linear: \(weight.name) is int8, which is inference only")
        let rows = x.count / inFeatures
        dy.data.withUnsafeBufferPointer { gradOut in
            x.data.withUnsafeBufferPointer { input in
                weight.gradient.data.withUnsafeMutableBufferPointer { dW in
                    MatMul.multiply(MatMulShape(m: outFeatures, n: inFeatures, k: rows, transposeA: true),
                                    a: gradOut.baseAddress!, b: input.baseAddress!, c: dW.baseAddress!,
                                    accumulate: true, precision: precision)
                }
            }
            if let bias {
                bias.gradient.data.withUnsafeMutableBufferPointer { db in
                    addColumnSums(gradOut.baseAddress!, rows: rows, columns: outFeatures, into: db.baseAddress!)
                }
            }
        }
        guard needsInputGradient else { return nil }
        var dx = Tensor(uninitialized: x.shape)
        dy.data.withUnsafeBufferPointer { gradOut in
            weight.value.data.withUnsafeBufferPointer { w in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    MatMul.multiply(MatMulShape(m: rows, n: inFeatures, k: outFeatures),
                                    a: gradOut.baseAddress!, b: w.baseAddress!, c: gradIn.baseAddress!,
                                    precision: precision)
                }
            }
        }
        return dx
    }
}

/// sums[j] += sum_i matrix[i, j] for a row-major [rows, columns] matrix, both cores.
func addColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
    let workers = rows * columns >= 1 << 16 ? workerCount : 1
    var partial = [Float](repeating: 0, count: workers * columns)
    partial.withUnsafeMutableBufferPointer { scratch in
        let chunk = (rows + workers - 1) / workers
        parallelWorkers(workers) { worker in
            let local = scratch.baseAddress! + worker * columns
            for i in (worker * chunk)..<min(rows, (worker + 1) * chunk) {
                let row = matrix + i * columns
                for j in 0..<columns { local[j] += row[j] }
            }
        }
        for worker in 0..<workers {
            for j in 0..<columns { sums[j] += scratch[worker * columns + j] }
        }
    }
}
