import CDNNL

// Products over a batch of matrices whose elements sit at arbitrary strides, so that
// attention can read q, k, v straight out of the fused [B, N, 3E] projection and write its
// gradients straight back, without copying heads into a separate layout.
//   dims: batch dims (e.g. [B, H]) + [m, k] for A, [k, n] for B, [m, n] for C
//   strides: one per dim of each operand, in elements. A and B are f32, or bf16 (raw UInt16 bits,
//   `inputsInBFloat16`); C is f32, or, from bf16 inputs, bf16 rounded by the product as it writes.

public struct StridedOperand: Hashable {
    public var strides: [Int]
    public init(_ strides: [Int]) { self.strides = strides }
}

public struct StridedMatMulShape: Hashable {
    public var batch: [Int], m: Int, n: Int, k: Int
    public var a: StridedOperand, b: StridedOperand, c: StridedOperand
    public var inputsInBFloat16: Bool
    /// C in bf16 (bf16 inputs only): for an output that only bf16 products read.
    public var outputInBFloat16: Bool

    public init(batch: [Int], m: Int, n: Int, k: Int, a: StridedOperand, b: StridedOperand, c: StridedOperand,
                inputsInBFloat16: Bool = false, outputInBFloat16: Bool = false) {
        precondition(inputsInBFloat16 || !outputInBFloat16, "StridedMatMul: a bf16 output needs bf16 inputs")
        self.batch = batch; self.m = m; self.n = n; self.k = k
        self.a = a; self.b = b; self.c = c
        self.inputsInBFloat16 = inputsInBFloat16
        self.outputInBFloat16 = outputInBFloat16
    }
}

extension MatMul {
    public static func multiply(_ shape: StridedMatMulShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                c: UnsafeMutablePointer<Float>) {
        precondition(!shape.inputsInBFloat16, "StridedMatMul: f32 operands for a bf16 shape")
        DNNLContext.shared.multiply(shape, a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), c: UnsafeMutableRawPointer(c))
    }

    /// The same product on bf16 operands (raw bits), accumulated and written in f32.
    public static func multiply(_ shape: StridedMatMulShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                                c: UnsafeMutablePointer<Float>) {
        precondition(shape.inputsInBFloat16 && !shape.outputInBFloat16, "StridedMatMul: bf16 operands for an f32 shape")
        DNNLContext.shared.multiply(shape, a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), c: UnsafeMutableRawPointer(c))
    }

    /// The same product written in bf16 (rounded to nearest even, as `convertToBFloat16`).
    public static func multiply(_ shape: StridedMatMulShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                                c: UnsafeMutablePointer<UInt16>) {
        precondition(shape.outputInBFloat16, "StridedMatMul: a bf16 output for an f32-output shape")
        DNNLContext.shared.multiply(shape, a: UnsafeRawPointer(a), b: UnsafeRawPointer(b), c: UnsafeMutableRawPointer(c))
    }

    /// Naive twin of the bf16 product: the operands widened to f32 exactly, then `reference`.
    public static func reference(_ shape: StridedMatMulShape, a: UnsafePointer<UInt16>, b: UnsafePointer<UInt16>,
                                 aCount: Int, bCount: Int, c: UnsafeMutablePointer<Float>) {
        var (wideA, wideB) = ([Float](repeating: 0, count: aCount), [Float](repeating: 0, count: bCount))
        convertFromBFloat16(a, &wideA, count: aCount)
        convertFromBFloat16(b, &wideB, count: bCount)
        var plain = shape
        plain.inputsInBFloat16 = false
        reference(plain, a: wideA, b: wideB, c: c)
    }

    /// The oneDNN implementation that runs `shape` ("ref" would mean no fast kernel exists for it).
    public static func implementation(of shape: StridedMatMulShape) -> String {
        DNNLContext.shared.compiled(shape).implementation
    }

    /// Naive twin of the strided product, for tests.
    public static func reference(_ shape: StridedMatMulShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                 c: UnsafeMutablePointer<Float>) {
        let batchCount = shape.batch.reduce(1, *)
        for item in 0..<batchCount {
            var rest = item, offsetA = 0, offsetB = 0, offsetC = 0
            for d in stride(from: shape.batch.count - 1, through: 0, by: -1) {
                let index = rest % shape.batch[d]
                rest /= shape.batch[d]
                offsetA += index * shape.a.strides[d]
                offsetB += index * shape.b.strides[d]
                offsetC += index * shape.c.strides[d]
            }
            let nb = shape.batch.count
            for i in 0..<shape.m {
                for j in 0..<shape.n {
                    var sum = 0.0
                    for p in 0..<shape.k {
                        sum += Double(a[offsetA + i * shape.a.strides[nb] + p * shape.a.strides[nb + 1]])
                            * Double(b[offsetB + p * shape.b.strides[nb] + j * shape.b.strides[nb + 1]])
                    }
                    c[offsetC + i * shape.c.strides[nb] + j * shape.c.strides[nb + 1]] = Float(sum)
                }
            }
        }
    }
}

extension DNNLContext {
    func compiled(_ shape: StridedMatMulShape) -> CompiledMatMul {
        if let known = stridedPrimitives[shape] { return known }
        let made = CompiledMatMul(engine: engineHandle, strided: shape)
        stridedPrimitives[shape] = made
        return made
    }

    func multiply(_ shape: StridedMatMulShape, a: UnsafeRawPointer, b: UnsafeRawPointer,
                  c: UnsafeMutableRawPointer) {
        compiled(shape).run(stream: streamHandle, a: UnsafeMutableRawPointer(mutating: a),
                            b: UnsafeMutableRawPointer(mutating: b), c: c, bias: nil)
    }
}

extension CompiledMatMul {
    convenience init(engine: dnnl_engine_t, strided shape: StridedMatMulShape) {
        let dimsA = (shape.batch + [shape.m, shape.k]).map(Int64.init)
        let dimsB = (shape.batch + [shape.k, shape.n]).map(Int64.init)
        let dimsC = (shape.batch + [shape.m, shape.n]).map(Int64.init)
        self.init(engine: engine, dims: (dimsA, dimsB, dimsC),
                  strides: (shape.a.strides.map(Int64.init), shape.b.strides.map(Int64.init), shape.c.strides.map(Int64.init)),
                  inputType: shape.inputsInBFloat16 ? dnnl_bf16 : dnnl_f32, hasBias: false, accumulate: false,
                  epilogue: shape.outputInBFloat16 ? .rounded : .none)
    }
}
