// Exact GELU (erf form), element-wise on any shape.
//   forward:  y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
//   backward: dx = dy * (Phi(x) + x * phi(x)),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)

public enum GELU {
    public static func forward(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitialized: x.shape)
        x.data.withUnsafeBufferPointer { input in
            y.data.withUnsafeMutableBufferPointer { output in
                parallelRanges(x.count) { range in
                    for i in range {
                        let v = input[i]
                        output[i] = 0.5 * v * (1 + fastErf(v * 0.707_106_77))
                    }
                }
            }
        }
        return y
    }

    public static func backward(_ dy: Tensor, input x: Tensor) -> Tensor {
        var dx = Tensor(uninitialized: x.shape)
        x.data.withUnsafeBufferPointer { input in
            dy.data.withUnsafeBufferPointer { gradOut in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    parallelRanges(x.count) { range in
                        for i in range {
                            let v = input[i]
                            let cdf = 0.5 * (1 + fastErf(v * 0.707_106_77))
                            let pdf = 0.398_942_28 * fastExp(-0.5 * v * v)
                            gradIn[i] = gradOut[i] * (cdf + v * pdf)
                        }
                    }
                }
            }
        }
        return dx
    }
}
