// tanh, element-wise on any shape; the backward reads the output, which the forward keeps anyway.
//   forward:  y = tanh(x) = sign(x) (1 - e^(-2|x|)) / (1 + e^(-2|x|))
//   backward: dx = dy * (1 - y^2)

public enum Tanh {
    public static func forward(_ x: Tensor) -> Tensor {
        elementwise(x, tanhForwardKernel)
    }

    public static func backward(_ dy: Tensor, output y: Tensor) -> Tensor {
        elementwise(y, dy, tanhBackwardKernel)
    }
}

// libm's tanhf is an opaque call; this form vectorises and is within 2e-7 of it in absolute terms
// (the relative error grows near 0, where 1 - e^(-2|x|) cancels, but the values are tiny there).
@inline(never)
func tanhForwardKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count {
        let v = x[i]
        let e = fastExp(-2 * abs(v))
        let magnitude = (1 - e) / (1 + e)
        y[i] = v < 0 ? -magnitude : magnitude
    }
}

@inline(never)
func tanhBackwardKernel(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                        _ count: Int) {
    for i in 0..<count { dx[i] = dy[i] * (1 - y[i] * y[i]) }
}
