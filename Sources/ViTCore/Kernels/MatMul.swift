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

public enum MatMul {
    public static func multiply(_ shape: MatMulShape,
                                a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil,
                                accumulate: Bool = false, precision: Precision = .f32) {
        DNNLContext.shared.multiply(shape, a: a, b: b, c: c, bias: bias,
                                    accumulate: accumulate, precision: precision)
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
    private var bf16A: [UInt16] = []
    private var bf16B: [UInt16] = []

    private struct PrimitiveKey: Hashable {
        var shape: MatMulShape
        var hasBias: Bool
        var accumulate: Bool
        var precision: Precision
    }

    private init() {
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream")
    }

    func multiply(_ shape: MatMulShape, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                  c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                  accumulate: Bool, precision: Precision) {
        let key = PrimitiveKey(shape: shape, hasBias: bias != nil, accumulate: accumulate, precision: precision)
        let compiled = primitives[key] ?? {
            let made = CompiledMatMul(engine: engine!, key.shape, hasBias: key.hasBias,
                                      accumulate: key.accumulate, precision: key.precision)
            primitives[key] = made
            return made
        }()
        switch precision {
        case .f32:
            compiled.run(stream: stream!, a: UnsafeMutableRawPointer(mutating: a),
                         b: UnsafeMutableRawPointer(mutating: b), c: c, bias: bias)
        case .bf16:
            let countA = shape.batch * shape.m * shape.k, countB = shape.batch * shape.k * shape.n
            if bf16A.count < countA { bf16A = [UInt16](repeating: 0, count: countA) }
            if bf16B.count < countB { bf16B = [UInt16](repeating: 0, count: countB) }
            bf16A.withUnsafeMutableBufferPointer { bufferA in
                bf16B.withUnsafeMutableBufferPointer { bufferB in
                    convertToBFloat16(a, bufferA.baseAddress!, count: countA)
                    convertToBFloat16(b, bufferB.baseAddress!, count: countB)
                    compiled.run(stream: stream!, a: UnsafeMutableRawPointer(bufferA.baseAddress!),
                                 b: UnsafeMutableRawPointer(bufferB.baseAddress!), c: c, bias: bias)
                }
            }
        }
    }
}

/// A oneDNN matmul primitive with its memory objects; data pointers are swapped per call.
final class CompiledMatMul {
    private var primitive: dnnl_primitive_t?
    private var sourceMemory: dnnl_memory_t?
    private var weightsMemory: dnnl_memory_t?
    private var biasMemory: dnnl_memory_t?
    private var destinationMemory: dnnl_memory_t?

    init(engine: dnnl_engine_t, _ shape: MatMulShape, hasBias: Bool, accumulate: Bool, precision: Precision) {
        let inputType = precision == .bf16 ? dnnl_bf16 : dnnl_f32
        let (batch, m, n, k) = (Int64(shape.batch), Int64(shape.m), Int64(shape.n), Int64(shape.k))
        var sourceDesc = dnnl_memory_desc_t(), weightsDesc = dnnl_memory_desc_t()
        var destinationDesc = dnnl_memory_desc_t(), biasDesc = dnnl_memory_desc_t()
        let sourceStrides: [Int64] = shape.transposeA ? [m * k, 1, m] : [m * k, k, 1]
        let weightsStrides: [Int64] = shape.transposeB ? [k * n, 1, k] : [k * n, n, 1]
        check(dnnl_memory_desc_init_by_strides(&sourceDesc, 3, [batch, m, k], inputType, sourceStrides), "src desc")
        check(dnnl_memory_desc_init_by_strides(&weightsDesc, 3, [batch, k, n], inputType, weightsStrides), "weights desc")
        check(dnnl_memory_desc_init_by_strides(&destinationDesc, 3, [batch, m, n], dnnl_f32, [m * n, n, 1]), "dst desc")
        check(dnnl_memory_desc_init_by_strides(&biasDesc, 3, [1, 1, n], dnnl_f32, [n, n, 1]), "bias desc")

        var operation = dnnl_matmul_desc_t()
        check(withUnsafePointer(to: &biasDesc) { biasPointer in
            dnnl_matmul_desc_init(&operation, &sourceDesc, &weightsDesc, hasBias ? biasPointer : nil, &destinationDesc)
        }, "matmul desc")

        var attributes: dnnl_primitive_attr_t?
        check(dnnl_primitive_attr_create(&attributes), "attr")
        defer { dnnl_primitive_attr_destroy(attributes) }
        if accumulate {
            var postOps: dnnl_post_ops_t?
            check(dnnl_post_ops_create(&postOps), "post ops")
            check(dnnl_post_ops_append_sum(postOps, 1.0), "sum post op")
            check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "set post ops")
            dnnl_post_ops_destroy(postOps)
        }
        var descriptor: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&descriptor, &operation, attributes, engine, nil),
              "matmul primitive descriptor for \(shape) \(precision)")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        check(dnnl_primitive_create(&primitive, descriptor), "matmul primitive")

        let none = vitc_dnnl_memory_none()
        check(dnnl_memory_create(&sourceMemory, &sourceDesc, engine, none), "src memory")
        check(dnnl_memory_create(&weightsMemory, &weightsDesc, engine, none), "weights memory")
        check(dnnl_memory_create(&destinationMemory, &destinationDesc, engine, none), "dst memory")
        if hasBias { check(dnnl_memory_create(&biasMemory, &biasDesc, engine, none), "bias memory") }
    }

    func run(stream: dnnl_stream_t, a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer,
             c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?) {
        dnnl_memory_set_data_handle(sourceMemory, a)
        dnnl_memory_set_data_handle(weightsMemory, b)
        dnnl_memory_set_data_handle(destinationMemory, UnsafeMutableRawPointer(c))
        var arguments = [
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_src(), memory: sourceMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_weights(), memory: weightsMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_dst(), memory: destinationMemory),
        ]
        if let bias {
            dnnl_memory_set_data_handle(biasMemory, UnsafeMutableRawPointer(mutating: bias))
            arguments.append(dnnl_exec_arg_t(arg: vitc_dnnl_arg_bias(), memory: biasMemory))
        }
        check(dnnl_primitive_execute(primitive, stream, Int32(arguments.count), arguments), "matmul execute")
        check(dnnl_stream_wait(stream), "stream wait")
    }
}

/// oneDNN fails only on programming errors here (unsupported shape or type), never on user input.
func check(_ status: dnnl_status_t, _ what: String) {
    precondition(status == dnnl_success, "oneDNN: \(what) failed with status \(status.rawValue)")
}
