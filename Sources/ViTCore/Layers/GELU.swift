// Exact GELU (erf form), element-wise on any shape.
//   forward:  y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
//   backward: dx = dy * (Phi(x) + x * phi(x)),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)

public enum GELU {
    public static func forward(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        x.data.withUnsafeBufferPointer { input in
            y.data.withUnsafeMutableBufferPointer { output in
                let (source, target) = (input.baseAddress!, output.baseAddress!)
                parallelRanges(x.count) { range in
                    geluForwardKernel(source + range.lowerBound, target + range.lowerBound, range.count)
                }
            }
        }
        return y
    }

    /// y and dy/dx = Phi(x) + x * phi(x), for training: `backward(_:derivative:)` then costs one multiply.
    public static func forwardWithDerivative(_ x: Tensor) -> (y: Tensor, derivative: Tensor) {
        var y = Tensor(uninitialized: x.shape), derivative = Tensor(uninitialized: x.shape)
        x.data.withUnsafeBufferPointer { input in
            y.data.withUnsafeMutableBufferPointer { output in
                derivative.data.withUnsafeMutableBufferPointer { slope in
                    let (source, target, d) = (input.baseAddress!, output.baseAddress!, slope.baseAddress!)
                    parallelRanges(x.count) { range in
                        let i = range.lowerBound
                        geluWithDerivativeKernel(source + i, target + i, d + i, range.count)
                    }
                }
            }
        }
        return (y, derivative)
    }

    public static func backward(_ dy: Tensor, derivative: Tensor) -> Tensor {
        var dx = Tensor(uninitialized: dy.shape)
        dy.data.withUnsafeBufferPointer { gradOut in
            derivative.data.withUnsafeBufferPointer { slope in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    let (d, s, target) = (gradOut.baseAddress!, slope.baseAddress!, gradIn.baseAddress!)
                    parallelRanges(dy.count) { range in
                        let i = range.lowerBound
                        productKernel(d + i, s + i, target + i, range.count)
                    }
                }
            }
        }
        return dx
    }

    public static func backward(_ dy: Tensor, input x: Tensor) -> Tensor {
        var dx = Tensor(uninitialized: x.shape)
        x.data.withUnsafeBufferPointer { input in
            dy.data.withUnsafeBufferPointer { gradOut in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    let (source, d, target) = (input.baseAddress!, gradOut.baseAddress!, gradIn.baseAddress!)
                    parallelRanges(x.count) { range in
                        let i = range.lowerBound
                        geluBackwardKernel(source + i, d + i, target + i, range.count)
                    }
                }
            }
        }
        return dx
    }
}
