// Exact GELU (erf form), element-wise on any shape.
//   forward:  y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
//   backward: dx = dy * (Phi(x) + x * phi(x)),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)

public enum GELU {
    public static func forward(_ x: Tensor) -> Tensor {
        elementwise(x, geluForwardKernel)
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

    /// `forwardWithDerivative` with y rounded to bf16 in the same pass, ready for a bf16 product
    /// (`LinearInput(rounded:shape:)`); y in f32 is never written.
    public static func forwardRoundedWithDerivative(_ x: Tensor) -> (y: LinearInput, derivative: Tensor) {
        var y = [UInt16](uninitializedBFloat16: x.count), derivative = Tensor(uninitialized: x.shape)
        x.data.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                derivative.data.withUnsafeMutableBufferPointer { slope in
                    let (source, target, d) = (input.baseAddress!, output.baseAddress!, slope.baseAddress!)
                    parallelRanges(x.count) { range in
                        let i = range.lowerBound
                        geluRoundedWithDerivativeKernel(source + i, target + i, d + i, range.count)
                    }
                }
            }
        }
        return (LinearInput(rounded: y, shape: x.shape), derivative)
    }

    /// `forward` with y rounded to bf16 in the same pass (bf16 inference).
    public static func forwardRounded(_ x: Tensor) -> LinearInput {
        var y = [UInt16](uninitializedBFloat16: x.count)
        x.data.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { output in
                let (source, target) = (input.baseAddress!, output.baseAddress!)
                parallelRanges(x.count) { range in
                    geluRoundedKernel(source + range.lowerBound, target + range.lowerBound, range.count)
                }
            }
        }
        return LinearInput(rounded: y, shape: x.shape)
    }

    public static func backward(_ dy: Tensor, derivative: Tensor) -> Tensor {
        elementwise(dy, derivative, productKernel)
    }

    public static func backward(_ dy: Tensor, input x: Tensor) -> Tensor {
        elementwise(x, dy, geluBackwardKernel)
    }
}
