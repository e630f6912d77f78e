// Tensor-level element-wise maps: allocate the result and split a pointer kernel over the cores.

public typealias UnaryKernel = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
public typealias BinaryKernel = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

/// y[i] = f(x[i]) for a kernel that maps `count` values.
public func elementwise(_ x: Tensor, _ kernel: UnaryKernel) -> Tensor {
    var y = Tensor(uninitialized: x.shape)
    x.data.withUnsafeBufferPointer { input in
        y.data.withUnsafeMutableBufferPointer { output in
            let (source, target) = (input.baseAddress!, output.baseAddress!)
            parallelRanges(x.count) { range in
                kernel(source + range.lowerBound, target + range.lowerBound, range.count)
            }
        }
    }
    return y
}

/// z[i] = f(a[i], b[i]) for two tensors of one shape.
public func elementwise(_ a: Tensor, _ b: Tensor, _ kernel: BinaryKernel) -> Tensor {
    precondition(a.shape == b.shape, "element-wise operands have shapes \(a.shape) and \(b.shape)")
    var z = Tensor(uninitialized: a.shape)
    a.data.withUnsafeBufferPointer { first in
        b.data.withUnsafeBufferPointer { second in
            z.data.withUnsafeMutableBufferPointer { output in
                let (x, y, target) = (first.baseAddress!, second.baseAddress!, output.baseAddress!)
                parallelRanges(a.count) { range in
                    let i = range.lowerBound
                    kernel(x + i, y + i, target + i, range.count)
                }
            }
        }
    }
    return z
}
