import CDNNL

// The one matrix-product wrapper. Shapes, per batch item:
//   A: [m, k] (stored [k, m] when transposeA), B: [k, n] (stored [n, k] when transposeB),
//   C: [m, n] = A B (+ bias[n]) (+ C when accumulate). Batch items are contiguous.
// Every product in vitc goes through `MatMul.multiply`; `MatMul.reference` is its naive twin.

public struct MatMulShape: Hashable {
    public var batch: Int, m: Int, n: Int, k: Int
    public var transposeA: Bool, transposeB: Bool
    public init(batch: Int = 1, m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false) {
        self.batch = batch; self.m = m; self.n = n; self.k = k
        self.transposeA = transposeA; self.transposeB = transposeB
    }
}

/// A product's input: float32 values (rounded to bf16 on the way in when the product runs in
/// bf16), or values already rounded to bf16, so that an activation used by several products
/// (forward, then the weight gradient) is rounded once.
public enum ProductOperand {
    case float(UnsafePointer<Float>)
    case bfloat16(UnsafePointer<UInt16>)
}

public enum MatMul {
    public static func multiply(_ shape: MatMulShape,
                                a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil,
                                accumulate: Bool = false, precision: Precision = .f32) {
        DNNLContext.shared.multiply(shape, a: .float(a), b: .float(b), c: c, bias: bias,
                                    accumulate: accumulate, precision: precision)
    }

    /// The same product with either input given in bf16 (only when `precision` is bf16).
    public static func multiply(_ shape: MatMulShape, a: ProductOperand, b: ProductOperand,
                                c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil,
                                accumulate: Bool = false, precision: Precision) {
        DNNLContext.shared.multiply(shape, a: a, b: b, c: c, bias: bias, accumulate: accumulate, precision: precision)
    }

    /// C = GELU(A B + bias) rounded to bf16, in one bf16 product (oneDNN's erf GELU as a post-op):
    /// the first MLP layer of a bf16 inference forward, whose output only the second layer's bf16
    /// product reads, so the f32 output and the pass that applies GELU and rounds it are never made.
    public static func multiplyGELURounded(_ shape: MatMulShape, a: ProductOperand, b: ProductOperand,
                                           c: UnsafeMutablePointer<UInt16>, bias: UnsafePointer<Float>?) {
        DNNLContext.shared.multiply(shape, a: a, b: b, c: UnsafeMutableRawPointer(c), bias: bias, accumulate: false,
                                    precision: .bf16, epilogue: .geluRounded)
    }

    /// C = A B + bias rounded to bf16 by the product as it writes (round to nearest even, as
    /// `convertToBFloat16`): for an output that only bf16 products read.
    public static func multiplyRounded(_ shape: MatMulShape, a: ProductOperand, b: ProductOperand,
                                       c: UnsafeMutablePointer<UInt16>, bias: UnsafePointer<Float>?) {
        DNNLContext.shared.multiply(shape, a: a, b: b, c: UnsafeMutableRawPointer(c), bias: bias, accumulate: false,
                                    precision: .bf16, epilogue: .rounded)
    }

    /// The oneDNN implementation that runs `shape` in `precision` (for tests and benchmarks).
    public static func implementation(of shape: MatMulShape, precision: Precision = .f32) -> String {
        DNNLContext.shared.compiled(shape, hasBias: false, accumulate: false, precision: precision).implementation
    }

    /// Triple loop in Double: slow and obviously right, for tests.
    public static func reference(_ shape: MatMulShape,
                                 a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                 c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil,
                                 accumulate: Bool = false) {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        for item in 0..<shape.batch {
            let aBase = a + item * m * k, bBase = b + item * k * n, cBase = c + item * m * n
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Double = bias.map { Double($0[j]) } ?? 0
                    for p in 0..<k {
                        let aValue = shape.transposeA ? aBase[p * m + i] : aBase[i * k + p]
                        let bValue = shape.transposeB ? bBase[j * k + p] : bBase[p * n + j]
                        sum += Double(aValue) * Double(bValue)
                    }
                    cBase[i * n + j] = Float(sum) + (accumulate ? cBase[i * n + j] : 0)
                }
            }
        }
    }
}

/// Holds the oneDNN engine and stream and one compiled primitive per distinct product
/// (creating a primitive costs far more than running a small one).
final class DNNLContext {
    static let shared = DNNLContext()

    private(set) var engine: dnnl_engine_t?
    private(set) var stream: dnnl_stream_t?
    private var primitives: [PrimitiveKey: CompiledMatMul] = [:]
    var stridedPrimitives: [StridedMatMulShape: CompiledMatMul] = [:]
    var engineHandle: dnnl_engine_t { engine! }
    var streamHandle: dnnl_stream_t { stream! }
    private var bf16A: [UInt16] = []
    private var bf16B: [UInt16] = []

    private struct PrimitiveKey: Hashable {
        var shape: MatMulShape
        var hasBias: Bool
        var accumulate: Bool
        var precision: Precision
        var epilogue: ProductEpilogue
    }

    private init() {
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream")
    }

    func compiled(_ shape: MatMulShape, hasBias: Bool, accumulate: Bool, precision: Precision,
                  epilogue: ProductEpilogue = .none) -> CompiledMatMul {
        // int8 models run their float products in f32: one primitive serves both.
        let precision: Precision = precision.productsInBFloat16 ? .bf16 : .f32
        let key = PrimitiveKey(shape: shape, hasBias: hasBias, accumulate: accumulate, precision: precision,
                               epilogue: epilogue)
        if let known = primitives[key] { return known }
        let made = CompiledMatMul(engine: engine!, shape, hasBias: hasBias, accumulate: accumulate, precision: precision,
                                  epilogue: epilogue)
        primitives[key] = made
        return made
    }

    /// Whether oneDNN creates a bf16 product here (oneDNN 2.6 has none without AVX-512).
    static func canCreateBFloat16Product() -> Bool {
        var engine: dnnl_engine_t?
        guard dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success else { return false }
        defer { dnnl_engine_destroy(engine) }
        var source = dnnl_memory_desc_t(), weights = dnnl_memory_desc_t(), destination = dnnl_memory_desc_t()
        guard dnnl_memory_desc_init_by_strides(&source, 2, [16, 64], dnnl_bf16, [64, 1]) == dnnl_success,
              dnnl_memory_desc_init_by_strides(&weights, 2, [64, 16], dnnl_bf16, [1, 64]) == dnnl_success,
              dnnl_memory_desc_init_by_strides(&destination, 2, [16, 16], dnnl_f32, [16, 1]) == dnnl_success
        else { return false }
        var operation = dnnl_matmul_desc_t()
        guard dnnl_matmul_desc_init(&operation, &source, &weights, nil, &destination) == dnnl_success else { return false }
        var descriptor: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&descriptor, &operation, nil, engine, nil) == dnnl_success else { return false }
        dnnl_primitive_desc_destroy(descriptor)
        return true
    }

    func multiply(_ shape: MatMulShape, a: ProductOperand, b: ProductOperand,
                  c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                  accumulate: Bool, precision: Precision) {
        multiply(shape, a: a, b: b, c: UnsafeMutableRawPointer(c), bias: bias, accumulate: accumulate,
                 precision: precision, epilogue: .none)
    }

    /// C is f32, or bf16 bits with a rounding epilogue (a bf16 product only).
    func multiply(_ shape: MatMulShape, a: ProductOperand, b: ProductOperand,
                  c: UnsafeMutableRawPointer, bias: UnsafePointer<Float>?,
                  accumulate: Bool, precision: Precision, epilogue: ProductEpilogue) {
        precondition(epilogue == .none || precision.productsInBFloat16, "MatMul: a \(epilogue) epilogue outside a bf16 product")
        let compiled = compiled(shape, hasBias: bias != nil, accumulate: accumulate, precision: precision,
                                epilogue: epilogue)
        guard precision.productsInBFloat16 else {
            guard case .float(let a) = a, case .float(let b) = b else {
                preconditionFailure("MatMul: a bf16 operand for a \(precision) product")
            }
            compiled.run(stream: stream!, a: UnsafeMutableRawPointer(mutating: a),
                         b: UnsafeMutableRawPointer(mutating: b), c: c, bias: bias)
            return
        }
        let countA = shape.batch * shape.m * shape.k, countB = shape.batch * shape.k * shape.n
        Self.rounded(a, count: countA, scratch: &bf16A) { roundedA in
            Self.rounded(b, count: countB, scratch: &bf16B) { roundedB in
                compiled.run(stream: stream!, a: roundedA, b: roundedB, c: c, bias: bias)
            }
        }
    }

    /// The operand as bf16 bits: as given, or rounded into `scratch`.
    private static func rounded(_ operand: ProductOperand, count: Int, scratch: inout [UInt16],
                                _ body: (UnsafeMutableRawPointer) -> Void) {
        switch operand {
        case .bfloat16(let bits):
            body(UnsafeMutableRawPointer(mutating: bits))
        case .float(let values):
            if scratch.count < count { scratch = [UInt16](repeating: 0, count: count) }
            scratch.withUnsafeMutableBufferPointer { buffer in
                convertToBFloat16(values, buffer.baseAddress!, count: count)
                body(UnsafeMutableRawPointer(buffer.baseAddress!))
            }
        }
    }
}

/// What a product does to A B + bias before it writes C.
enum ProductEpilogue: Hashable {
    /// C as it is, in f32.
    case none
    /// C rounded to bf16.
    case rounded
    /// GELU (erf form) of it, written in bf16.
    case geluRounded
}

/// A oneDNN matmul primitive with its memory objects; data pointers are swapped per call.
final class CompiledMatMul {
    private var primitive: dnnl_primitive_t?
    private var sourceMemory: dnnl_memory_t?
    private var weightsMemory: dnnl_memory_t?
    private var biasMemory: dnnl_memory_t?
    private var destinationMemory: dnnl_memory_t?

    /// The implementation oneDNN chose (e.g. "brg:avx512_core"), for tests and benchmarks.
    private(set) var implementation = ""

    convenience init(engine: dnnl_engine_t, _ shape: MatMulShape, hasBias: Bool, accumulate: Bool, precision: Precision,
                     epilogue: ProductEpilogue = .none) {
        let (batch, m, n, k) = (Int64(shape.batch), Int64(shape.m), Int64(shape.n), Int64(shape.k))
        let sourceStrides: [Int64] = shape.transposeA ? [m * k, 1, m] : [m * k, k, 1]
        let weightsStrides: [Int64] = shape.transposeB ? [k * n, 1, k] : [k * n, n, 1]
        self.init(engine: engine, dims: ([batch, m, k], [batch, k, n], [batch, m, n]),
                  strides: (sourceStrides, weightsStrides, [m * n, n, 1]),
                  inputType: precision.productsInBFloat16 ? dnnl_bf16 : dnnl_f32, hasBias: hasBias, accumulate: accumulate,
                  epilogue: epilogue)
    }

    /// A, B, C with any dims (batch dims first, the same for all three) and element strides.
    init(engine: dnnl_engine_t, dims: ([Int64], [Int64], [Int64]), strides: ([Int64], [Int64], [Int64]),
         inputType: dnnl_data_type_t, hasBias: Bool, accumulate: Bool, epilogue: ProductEpilogue = .none) {
        let rank = Int32(dims.0.count), n = dims.2.last!
        var sourceDesc = dnnl_memory_desc_t(), weightsDesc = dnnl_memory_desc_t()
        var destinationDesc = dnnl_memory_desc_t(), biasDesc = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_strides(&sourceDesc, rank, dims.0, inputType, strides.0), "src desc")
        check(dnnl_memory_desc_init_by_strides(&weightsDesc, rank, dims.1, inputType, strides.1), "weights desc")
        let outputType = epilogue == .none ? dnnl_f32 : dnnl_bf16
        check(dnnl_memory_desc_init_by_strides(&destinationDesc, rank, dims.2, outputType, strides.2), "dst desc")
        let biasDims = [Int64](repeating: 1, count: Int(rank) - 1) + [n]
        let biasStrides = [Int64](repeating: n, count: Int(rank) - 1) + [1]
        check(dnnl_memory_desc_init_by_strides(&biasDesc, rank, biasDims, dnnl_f32, biasStrides), "bias desc")

        var operation = dnnl_matmul_desc_t()
        check(withUnsafePointer(to: &biasDesc) { biasPointer in
            dnnl_matmul_desc_init(&operation, &sourceDesc, &weightsDesc, hasBias ? biasPointer : nil, &destinationDesc)
        }, "matmul desc")

        var attributes: dnnl_primitive_attr_t?
        check(dnnl_primitive_attr_create(&attributes), "attr")
        defer { dnnl_primitive_attr_destroy(attributes) }
        if accumulate || epilogue == .geluRounded {
            var postOps: dnnl_post_ops_t?
            check(dnnl_post_ops_create(&postOps), "post ops")
            if accumulate { check(dnnl_post_ops_append_sum(postOps, 1.0), "sum post op") }
            if epilogue == .geluRounded {
                check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_gelu_erf, 0, 0), "gelu post op")
            }
            check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "set post ops")
            dnnl_post_ops_destroy(postOps)
        }
        var descriptor: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&descriptor, &operation, attributes, engine, nil),
              "matmul primitive descriptor for dims \(dims) strides \(strides)")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var name: UnsafePointer<CChar>?
        if dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name {
            implementation = String(cString: name)
        }
        check(dnnl_primitive_create(&primitive, descriptor), "matmul primitive")

        let none = vitc_dnnl_memory_none()
        check(dnnl_memory_create(&sourceMemory, &sourceDesc, engine, none), "src memory")
        check(dnnl_memory_create(&weightsMemory, &weightsDesc, engine, none), "weights memory")
        check(dnnl_memory_create(&destinationMemory, &destinationDesc, engine, none), "dst memory")
        if hasBias { check(dnnl_memory_create(&biasMemory, &biasDesc, engine, none), "bias memory") }
    }

    func run(stream: dnnl_stream_t, a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer,
             c: UnsafeMutableRawPointer, bias: UnsafePointer<Float>?) {
        check(dnnl_memory_set_data_handle(sourceMemory, a), "set data")
        check(dnnl_memory_set_data_handle(weightsMemory, b), "set data")
        check(dnnl_memory_set_data_handle(destinationMemory, c), "set data")
        var arguments = [
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_src(), memory: sourceMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_weights(), memory: weightsMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_dst(), memory: destinationMemory),
        ]
        if let bias {
            check(dnnl_memory_set_data_handle(biasMemory, UnsafeMutableRawPointer(mutating: bias)), "set data")
            arguments.append(dnnl_exec_arg_t(arg: vitc_dnnl_arg_bias(), memory: biasMemory))
        }
        check(dnnl_primitive_execute(primitive, stream, Int32(arguments.count), arguments), "matmul execute")
        check(dnnl_stream_wait(stream), "stream wait")
    }
}

/// Every oneDNN status is checked, in every build (release keeps preconditions: no -Ounchecked).
/// What the hardware or input can cause is refused before any work: a bf16 product on a CPU
/// without native bf16 by `CPUCapabilities.resolve`, bad shapes by the layers and loaders. A
/// failure here is therefore a bug in vitc, and it stops the process with the call that failed.
func check(_ status: dnnl_status_t, _ what: String) {
    precondition(status == dnnl_success, "oneDNN: \(what) failed with status \(status.rawValue)"
        + " (\(CPUCapabilities.current.isa))")
}
