import CDNNL

/// A oneDNN u8 x s8 matmul for one shape, c: [M, N] = a: [M, K] x W^T, W: [N, K].
/// - The weights layout is left to oneDNN (`any`): it picks a blocked VNNI layout that also
///   carries the zero-point compensation, into which `Int8Weights` reorders each layer once.
/// - The zero point, scales and bias are run-time arguments, so dynamic quantization reuses
///   the primitive. oneDNN 2.6's brgemm kernels take no run-time output scales (they fall
///   back to a slower gemm), so the scales and the bias are binary post-ops on the s32->f32
///   result, applied in the kernel's epilogue, followed by the optional GELU and residual add:
///   c = gelu?(acc * scales[n] + bias[n]) + residual?[m, n]
/// - `exact` gives the Int32 accumulators with no post-ops (for testing against the twin).
/// - The scratchpad (zero-point compensation, accumulator blocks: megabytes at batch 256) is
///   the context's reusable buffer: oneDNN's own would be allocated and freed on every call,
///   and big allocations come back from the kernel as fresh pages to fault in.
final class CompiledInt8MatMul {
    struct Key: Hashable {
        var rows: Int, columns: Int, depth: Int
        var exact: Bool
        var hasBias: Bool
        var gelu = false
        var residual = false
    }

    /// The layout the weights must be in (query of the primitive descriptor).
    private(set) var weightsDescriptor = dnnl_memory_desc_t()
    private var primitive: dnnl_primitive_t?
    private var sourceMemory: dnnl_memory_t?
    private var weightsMemory: dnnl_memory_t?
    private var destinationMemory: dnnl_memory_t?
    private var scalesMemory: dnnl_memory_t?
    private var biasMemory: dnnl_memory_t?
    private var residualMemory: dnnl_memory_t?
    /// Post-op positions of the run-time operands (they number every post-op, eltwise included).
    private var biasIndex: Int32 = 0, residualIndex: Int32 = 0
    private var zeroPointMemory: dnnl_memory_t?
    private var scratchpadMemory: dnnl_memory_t?
    /// Bytes of scratchpad each call needs.
    private(set) var scratchpadSize = 0
    private let zeroPoint = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    init(engine: dnnl_engine_t, _ key: Key) {
        let (m, n, k) = (Int64(key.rows), Int64(key.columns), Int64(key.depth))
        var sourceDesc = dnnl_memory_desc_t(), anyWeightsDesc = dnnl_memory_desc_t()
        var destinationDesc = dnnl_memory_desc_t(), channelDesc = dnnl_memory_desc_t()
        var zeroPointDesc = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_strides(&sourceDesc, 2, [m, k], dnnl_u8, [k, 1]), "int8 src desc")
        check(dnnl_memory_desc_init_by_tag(&anyWeightsDesc, 2, [k, n], dnnl_s8, dnnl_format_tag_any), "int8 weights desc")
        check(dnnl_memory_desc_init_by_strides(&destinationDesc, 2, [m, n], key.exact ? dnnl_s32 : dnnl_f32, [n, 1]),
              "int8 dst desc")
        check(dnnl_memory_desc_init_by_strides(&channelDesc, 2, [1, n], dnnl_f32, [n, 1]), "per-channel desc")
        check(dnnl_memory_desc_init_by_strides(&zeroPointDesc, 1, [1], dnnl_s32, [1]), "zero point desc")

        var operation = dnnl_matmul_desc_t()
        check(dnnl_matmul_desc_init(&operation, &sourceDesc, &anyWeightsDesc, nil, &destinationDesc), "int8 matmul desc")

        var attributes: dnnl_primitive_attr_t?
        check(dnnl_primitive_attr_create(&attributes), "attr")
        defer { dnnl_primitive_attr_destroy(attributes) }
        check(dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user), "scratchpad mode")
        var runtimeZeroPoint = vitc_dnnl_runtime_s32()
        check(dnnl_primitive_attr_set_zero_points(attributes, vitc_dnnl_arg_src(), 1, 0, &runtimeZeroPoint),
              "src zero point")
        if !key.exact {
            var postOps: dnnl_post_ops_t?
            check(dnnl_post_ops_create(&postOps), "post ops")
            check(dnnl_post_ops_append_binary(postOps, dnnl_binary_mul, &channelDesc), "scale post op")
            if key.hasBias {
                biasIndex = dnnl_post_ops_len(postOps)
                check(dnnl_post_ops_append_binary(postOps, dnnl_binary_add, &channelDesc), "bias post op")
            }
            if key.gelu { check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_gelu_erf, 0, 0), "gelu post op") }
            if key.residual {
                residualIndex = dnnl_post_ops_len(postOps)
                check(dnnl_post_ops_append_binary(postOps, dnnl_binary_add, &destinationDesc), "residual post op")
            }
            check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "set post ops")
            dnnl_post_ops_destroy(postOps)
        }
        var descriptor: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&descriptor, &operation, attributes, engine, nil),
              "int8 matmul primitive descriptor for \(key)")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        check(dnnl_primitive_create(&primitive, descriptor), "int8 matmul primitive")
        weightsDescriptor = dnnl_primitive_desc_query_md(descriptor, dnnl_query_weights_md, 0)!.pointee
        var scratchpadDesc = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)!.pointee
        scratchpadSize = dnnl_memory_desc_get_size(&scratchpadDesc)

        let none = vitc_dnnl_memory_none()
        check(dnnl_memory_create(&sourceMemory, &sourceDesc, engine, none), "int8 src memory")
        check(dnnl_memory_create(&weightsMemory, &weightsDescriptor, engine, none), "int8 weights memory")
        check(dnnl_memory_create(&destinationMemory, &destinationDesc, engine, none), "int8 dst memory")
        check(dnnl_memory_create(&scratchpadMemory, &scratchpadDesc, engine, none), "scratchpad memory")
        check(dnnl_memory_create(&zeroPointMemory, &zeroPointDesc, engine, UnsafeMutableRawPointer(zeroPoint)),
              "zero point memory")
        if !key.exact { check(dnnl_memory_create(&scalesMemory, &channelDesc, engine, none), "scales memory") }
        if key.hasBias { check(dnnl_memory_create(&biasMemory, &channelDesc, engine, none), "bias memory") }
        if key.residual { check(dnnl_memory_create(&residualMemory, &destinationDesc, engine, none), "residual memory") }
    }

    deinit { zeroPoint.deallocate() }

    func run(stream: dnnl_stream_t, a: UnsafePointer<UInt8>, weights: UnsafeRawPointer, zeroPoint value: Int32,
             scales: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
             c: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer) {
        zeroPoint.pointee = value
        check(dnnl_memory_set_data_handle(scratchpadMemory, scratchpad), "set data")
        check(dnnl_memory_set_data_handle(sourceMemory, UnsafeMutableRawPointer(mutating: a)), "set data")
        check(dnnl_memory_set_data_handle(weightsMemory, UnsafeMutableRawPointer(mutating: weights)), "set data")
        check(dnnl_memory_set_data_handle(destinationMemory, c), "set data")
        var arguments = [
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_src(), memory: sourceMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_weights(), memory: weightsMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_dst(), memory: destinationMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_attr_zero_points_src(), memory: zeroPointMemory),
            dnnl_exec_arg_t(arg: vitc_dnnl_arg_scratchpad(), memory: scratchpadMemory),
        ]
        if let scales {
            check(dnnl_memory_set_data_handle(scalesMemory, UnsafeMutableRawPointer(mutating: scales)), "set data")
            arguments.append(dnnl_exec_arg_t(arg: vitc_dnnl_arg_post_op_src1(0), memory: scalesMemory))
        }
        if let bias {
            check(dnnl_memory_set_data_handle(biasMemory, UnsafeMutableRawPointer(mutating: bias)), "set data")
            arguments.append(dnnl_exec_arg_t(arg: vitc_dnnl_arg_post_op_src1(biasIndex), memory: biasMemory))
        }
        if let residual {
            check(dnnl_memory_set_data_handle(residualMemory, UnsafeMutableRawPointer(mutating: residual)), "set data")
            arguments.append(dnnl_exec_arg_t(arg: vitc_dnnl_arg_post_op_src1(residualIndex), memory: residualMemory))
        }
        check(dnnl_primitive_execute(primitive, stream, Int32(arguments.count), arguments), "int8 matmul execute")
        check(dnnl_stream_wait(stream), "stream wait")
    }
}
