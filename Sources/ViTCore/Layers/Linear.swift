import Foundation

// Linear layer, PyTorch layout.
//   x: [T, in] (T = all leading dims), W: [out, in], b: [out]
//   forward:  y[T, out] = x W^T + b
//   backward: dx = dy W;  dW += dy^T x;  db += sum over T of dy
// In bf16 each activation is rounded once: x in forward (kept in `LinearInput` for dW), dy once
// for both of backward's products.

/// A linear layer's input as its backward needs it: the values and, when the products run in
/// bf16, their bf16 copy, rounded once by `Linear.input` and read by forward and by dW. A
/// producer that writes bf16 itself (GELU in a bf16 training step) hands over the copy alone.
public struct LinearInput {
    public let shape: [Int]
    /// nil when only the bf16 copy was kept (`init(rounded:shape:)`).
    public let values: Tensor?
    let rounded: [UInt16]?

    public init(values: Tensor, rounded: [UInt16]?) {
        (self.shape, self.values, self.rounded) = (values.shape, values, rounded)
    }

    /// An input that exists only as bf16 bits: usable by bf16 products alone.
    init(rounded: [UInt16], shape: [Int]) {
        precondition(rounded.count == shape.reduce(1, *), "LinearInput: \(rounded.count) values for shape \(shape)")
        (self.shape, self.values, self.rounded) = (shape, nil, rounded)
    }

    var count: Int { shape.reduce(1, *) }
}

public struct Linear {
    public let weight: Parameter
    public let bias: Parameter?
    /// Columns of the weight viewed as [out, in] (a conv weight [D, C, P, P] has in = C*P*P).
    public var inFeatures: Int { weight.count / weight.shape[0] }
    public var outFeatures: Int { weight.shape[0] }
    /// Neither int8 nor observed for calibration: a plain float product, whose input and output
    /// may exist in bf16 alone.
    public var isFloat: Bool { weight.inputObserver == nil && weight.quantized == nil }

    public init(weight: Parameter, bias: Parameter?) {
        self.weight = weight
        self.bias = bias
    }

    /// `x` ready for `forward(_:precision:)` and `backward(_:input:precision:)`: rounded to bf16
    /// here, once, when the products run in bf16.
    public static func input(_ x: Tensor, precision: Precision) -> LinearInput {
        guard precision.productsInBFloat16 else { return LinearInput(values: x, rounded: nil) }
        return LinearInput(values: x, rounded: x.roundedToBFloat16())
    }

    /// A quantized weight (`weight.quantized`) runs the int8 product whatever `precision` says.
    public func forward(_ x: Tensor, precision: Precision) -> Tensor {
        forward(LinearInput(values: x, rounded: nil), precision: precision)
    }

    public func forward(_ input: LinearInput, precision: Precision) -> Tensor {
        if let x = input.values {
            weight.inputObserver?(x)
            if let quantized = weight.quantized { return forwardInt8(x, quantized) }
        } else {
            precondition(isFloat && precision.productsInBFloat16,
                         "Linear: \(weight.name) got a bf16-only input outside a bf16 product")
        }
        var y = Tensor(uninitialized: Array(input.shape.dropLast()) + [outFeatures])
        floatProduct(input, into: &y, accumulate: false, precision: precision)
        return y
    }

    /// Inference: `residual += x W^T + b`, the sum done by the product as it writes (oneDNN's sum
    /// post-op) instead of by a pass of its own; the residual stream's f32 values are C's prior content.
    public func forward(_ input: LinearInput, addingInto residual: inout Tensor, precision: Precision) {
        precondition(isFloat, "Linear: \(weight.name) adds into a residual only in float")
        let rows = input.count / inFeatures
        precondition(residual.count == rows * outFeatures, "Linear: residual \(residual.shape) for \(rows) rows of \(outFeatures)")
        floatProduct(input, into: &residual, accumulate: true, precision: precision)
    }

    /// output (+)= x W^T + b in f32, the product of both forwards.
    private func floatProduct(_ input: LinearInput, into output: inout Tensor, accumulate: Bool, precision: Precision) {
        let shape = MatMulShape(m: input.count / inFeatures, n: outFeatures, k: inFeatures, transposeB: true)
        input.withOperand { a in
            weight.value.data.withUnsafeBufferPointer { w in
                output.data.withUnsafeMutableBufferPointer { c in
                    bias.withBiasPointer { b in
                        MatMul.multiply(shape, a: a, b: .float(w.baseAddress!), c: c.baseAddress!, bias: b,
                                        accumulate: accumulate, precision: precision)
                    }
                }
            }
        }
    }

    /// bf16 products only: x W^T + b rounded to bf16 by the product as it writes it (bit for bit
    /// what rounding the f32 output gives), for an output that only bf16 products read (attention's
    /// q, k, v). With `gelu` (inference: the MLP's first layer, read only by the second) GELU is
    /// applied before the rounding, inside the product (an erf GELU post-op).
    public func forwardRounded(_ input: LinearInput, gelu: Bool = false) -> LinearInput {
        precondition(isFloat, "Linear: \(weight.name) writes bf16 only in a bf16 product")
        let rows = input.count / inFeatures
        var y = [UInt16](uninitializedBFloat16: rows * outFeatures)
        let shape = MatMulShape(m: rows, n: outFeatures, k: inFeatures, transposeB: true)
        input.withOperand { a in
            weight.value.data.withUnsafeBufferPointer { w in
                y.withUnsafeMutableBufferPointer { output in
                    bias.withBiasPointer { b in
                        if gelu {
                            MatMul.multiplyGELURounded(shape, a: a, b: .float(w.baseAddress!), c: output.baseAddress!, bias: b)
                        } else {
                            MatMul.multiplyRounded(shape, a: a, b: .float(w.baseAddress!), c: output.baseAddress!, bias: b)
                        }
                    }
                }
            }
        }
        return LinearInput(rounded: y, shape: Array(input.shape.dropLast()) + [outFeatures])
    }

    /// Adds into the parameter gradients; returns dx unless `needsInputGradient` is false.
    @discardableResult
    public func backward(_ dy: Tensor, input x: Tensor, precision: Precision,
                         needsInputGradient: Bool = true) -> Tensor? {
        backward(dy, input: LinearInput(values: x, rounded: nil), precision: precision,
                 needsInputGradient: needsInputGradient)
    }

    @discardableResult
    public func backward(_ dy: Tensor, input: LinearInput, precision: Precision,
                         needsInputGradient: Bool = true) -> Tensor? {
        precondition(weight.quantized == nil, "Linear: \(weight.name) is int8, which is inference only")
        // dy feeds two products: in bf16 it is rounded once for both, in the pass that sums the bias gradient.
        guard precision.productsInBFloat16 && needsInputGradient else {
            dy.data.withUnsafeBufferPointer { gradOut in
                if let bias {
                    bias.gradient.data.withUnsafeMutableBufferPointer { db in
                        addColumnSums(gradOut.baseAddress!, rows: dy.count / outFeatures, columns: outFeatures,
                                      into: db.baseAddress!)
                    }
                }
            }
            return products(LinearInput(values: dy, rounded: nil), input: input, precision: precision,
                            needsInputGradient: needsInputGradient)
        }
        return products(roundedGradient(dy, scaledBy: nil), input: input, precision: precision, needsInputGradient: true)
    }

    /// `backward` of dy scaled first: by GELU's derivative (its backward folded into the layer
    /// after it) or by a drop-path mask. In bf16 the scaled dy is rounded and summed in one pass and
    /// never stored in f32.
    public func backward(_ dy: Tensor, scaledBy scaling: GradientScaling?, input: LinearInput,
                         precision: Precision) -> Tensor {
        guard precision.productsInBFloat16 else {
            return backward(scaling.map { $0.applied(to: dy) } ?? dy, input: input, precision: precision)!
        }
        return products(roundedGradient(dy, scaledBy: scaling), input: input, precision: precision,
                        needsInputGradient: true)!
    }

    /// dy (scaled) rounded to bf16, with the bias gradient added in the same pass.
    private func roundedGradient(_ dy: Tensor, scaledBy scaling: GradientScaling?) -> LinearInput {
        let rows = dy.count / outFeatures
        var rounded = [UInt16](uninitializedBFloat16: dy.count)
        func run(_ factors: GradientFactors?) {
            dy.data.withUnsafeBufferPointer { gradOut in
                rounded.withUnsafeMutableBufferPointer { target in
                    if let bias {
                        bias.gradient.data.withUnsafeMutableBufferPointer { db in
                            roundGradient(gradOut.baseAddress!, times: factors, rows: rows, columns: outFeatures,
                                          into: target.baseAddress!, addingColumnSumsTo: db.baseAddress!)
                        }
                    } else {
                        roundGradient(gradOut.baseAddress!, times: factors, rows: rows, columns: outFeatures,
                                      into: target.baseAddress!, addingColumnSumsTo: nil)
                    }
                }
            }
        }
        switch scaling {
        case nil: run(nil)
        case .elements(let factors):
            precondition(factors.shape == dy.shape, "Linear: dy \(dy.shape) scaled by \(factors.shape)")
            factors.data.withUnsafeBufferPointer { run(.elements($0.baseAddress!)) }
        case .samples(let mask):
            precondition(rows % mask.count == 0, "Linear: \(rows) rows for \(mask.count) samples")
            let perSample = rows / mask.count
            let rowFactors = (0..<rows).map { mask[$0 / perSample] }
            rowFactors.withUnsafeBufferPointer { run(.rows($0.baseAddress!)) }
        }
        return LinearInput(rounded: rounded, shape: dy.shape)
    }

    /// dW += dy^T x and, when asked, dx = dy W (the bias gradient is already added).
    private func products(_ gradient: LinearInput, input: LinearInput, precision: Precision,
                          needsInputGradient: Bool) -> Tensor? {
        let rows = input.count / inFeatures
        gradient.withOperand { gradOut in
            input.withOperand { a in
                weight.gradient.data.withUnsafeMutableBufferPointer { dW in
                    MatMul.multiply(MatMulShape(m: outFeatures, n: inFeatures, k: rows, transposeA: true),
                                    a: gradOut, b: a, c: dW.baseAddress!, accumulate: true, precision: precision)
                }
            }
        }
        guard needsInputGradient else { return nil }
        var dx = Tensor(uninitialized: input.shape)
        gradient.withOperand { gradOut in
            weight.value.data.withUnsafeBufferPointer { w in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    MatMul.multiply(MatMulShape(m: rows, n: inFeatures, k: outFeatures),
                                    a: gradOut, b: .float(w.baseAddress!), c: gradIn.baseAddress!,
                                    precision: precision)
                }
            }
        }
        return dx
    }
}

/// What a linear layer's output gradient is multiplied by before its backward.
public enum GradientScaling {
    /// Element by element, a tensor of dy's shape (GELU's derivative).
    case elements(Tensor)
    /// One factor per sample of the leading dimension (a drop-path mask).
    case samples([Float])

    /// dy scaled, in f32.
    func applied(to dy: Tensor) -> Tensor {
        switch self {
        case .elements(let factors): return elementwise(dy, factors, productKernel)
        case .samples(let mask): return DropPath.scaled(dy, by: mask)
        }
    }
}

extension Optional where Wrapped == Parameter {
    /// The bias values' address for a product, or nil without a bias.
    func withBiasPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.value.data.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension LinearInput {
    /// The bf16 copy's address (an input made in bf16, such as `Linear.forwardRounded`'s output).
    func withRoundedValues<R>(_ body: (UnsafePointer<UInt16>) -> R) -> R {
        guard let rounded else { preconditionFailure("LinearInput: no bf16 copy of \(shape)") }
        return rounded.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The values as a product operand: the bf16 copy when there is one.
    func withOperand<R>(_ body: (ProductOperand) -> R) -> R {
        if let rounded {
            return rounded.withUnsafeBufferPointer { body(.bfloat16($0.baseAddress!)) }
        }
        return values!.data.withUnsafeBufferPointer { body(.float($0.baseAddress!)) }
    }
}

extension Tensor {
    /// The values rounded to bf16 (raw bits), both cores.
    func roundedToBFloat16() -> [UInt16] {
        data.withUnsafeBufferPointer { values in
            [UInt16](unsafeUninitializedCapacity: values.count) { bits, initialized in
                convertToBFloat16(values.baseAddress!, bits.baseAddress!, count: values.count)
                initialized = values.count
            }
        }
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
