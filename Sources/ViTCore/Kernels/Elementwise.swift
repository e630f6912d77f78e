// Element-wise kernels over raw pointers. Taking pointers as parameters (not captured from
// an enclosing closure) is what lets LLVM vectorise these loops.

/// GELU(v) = 0.5 v (1 + erf(v / sqrt 2)).
@inline(__always)
func gelu(_ v: Float) -> Float { 0.5 * v * (1 + fastErf(v * 0.707_106_77)) }

/// GELU(v) and its derivative Phi(v) + v phi(v), sharing Phi.
@inline(__always)
func geluWithDerivative(_ v: Float) -> (value: Float, derivative: Float) {
    let cdf = 0.5 * (1 + fastErf(v * 0.707_106_77))
    return (v * cdf, cdf + v * 0.398_942_28 * fastExp(-0.5 * v * v))
}

@inline(never)
func geluForwardKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { y[i] = gelu(x[i]) }
}

/// GELU and its derivative in one pass: training keeps the derivative for the backward pass,
/// which then needs no second erf.
@inline(never)
func geluWithDerivativeKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                              _ derivative: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { (y[i], derivative[i]) = geluWithDerivative(x[i]) }
}

/// The same with the output rounded to bf16 (for a bf16 product) instead of stored in f32: the f32
/// output would only be read once more, to round it.
@inline(never)
func geluRoundedWithDerivativeKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt16>,
                                     _ derivative: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count {
        let (value, slope) = geluWithDerivative(x[i])
        (y[i], derivative[i]) = (roundedToBFloat16(value), slope)
    }
}

/// GELU with its output rounded to bf16 (inference in bf16).
@inline(never)
func geluRoundedKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt16>, _ count: Int) {
    for i in 0..<count { y[i] = roundedToBFloat16(gelu(x[i])) }
}

@inline(never)
func productKernel(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ product: UnsafeMutablePointer<Float>,
                   _ count: Int) {
    for i in 0..<count { product[i] = a[i] * b[i] }
}

@inline(never)
func geluBackwardKernel(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                        _ dx: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count {
        let v = x[i]
        let cdf = 0.5 * (1 + fastErf(v * 0.707_106_77))
        let pdf = 0.398_942_28 * fastExp(-0.5 * v * v)
        dx[i] = dy[i] * (cdf + v * pdf)
    }
}

@inline(never)
func addKernel(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ sum: UnsafeMutablePointer<Float>,
               _ count: Int) {
    for i in 0..<count { sum[i] = a[i] + b[i] }
}

@inline(never)
func multiplyKernel(_ values: UnsafeMutablePointer<Float>, _ factors: UnsafePointer<Float>, _ count: Int) {
    for i in 0..<count { values[i] *= factors[i] }
}

/// softmax(scale * row) in place (scale > 0).
@inline(__always)
func softmaxRowKernel(_ row: UnsafeMutablePointer<Float>, _ columns: Int, scale: Float) {
    let maximum = maximumOf(row, columns)
    for c in 0..<columns { row[c] = fastExp(scale * (row[c] - maximum)) }
    let scale = 1 / sumOf(row, columns)
    for c in 0..<columns { row[c] *= scale }
}

/// Rows of a softmax backward: d <- scale * p * (d - sum(d * p)).
@inline(never)
func softmaxBackwardKernel(_ p: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                           scale: Float) {
    for r in 0..<rows {
        let pRow = p + r * columns, dRow = d + r * columns
        let dot = dotOf(pRow, dRow, columns)
        for c in 0..<columns { dRow[c] = scale * pRow[c] * (dRow[c] - dot) }
    }
}

@inline(never)
func softmaxBackwardRoundedKernel(_ p: UnsafePointer<Float>, _ d: UnsafePointer<Float>,
                                  _ rounded: UnsafeMutablePointer<UInt16>, rows: Int, columns: Int, scale: Float) {
    for r in 0..<rows {
        let pRow = p + r * columns, dRow = d + r * columns, target = rounded + r * columns
        let dot = dotOf(pRow, dRow, columns)
        for c in 0..<columns { target[c] = roundedToBFloat16(scale * pRow[c] * (dRow[c] - dot)) }
    }
}

@inline(never)
func softmaxRoundedKernel(_ values: UnsafeMutablePointer<Float>, _ rounded: UnsafeMutablePointer<UInt16>,
                          rows: Int, columns: Int, scale: Float) {
    for r in 0..<rows {
        let row = values + r * columns, target = rounded + r * columns
        softmaxRowKernel(row, columns, scale: scale)
        for c in 0..<columns { target[c] = roundedToBFloat16(row[c]) }
    }
}

@inline(never)
func softmaxKernel(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int, scale: Float) {
    for r in 0..<rows { softmaxRowKernel(values + r * columns, columns, scale: scale) }
}
