import CDNNL

/// A oneDNN primitive (convolution, pooling) with one memory object per argument; the data
/// pointers are swapped per call, as in `CompiledMatMul`. Built once per shape (creating a
/// primitive costs far more than running a small one) and kept in a `PrimitiveCache`.
final class CompiledPrimitive {
    private var primitive: dnnl_primitive_t?
    private var memories: [(argument: Int32, memory: dnnl_memory_t?)] = []
    /// Bytes of the workspace (max pooling's argmax record); 0 when the primitive has none.
    private(set) var workspaceBytes = 0
    /// The implementation oneDNN chose (e.g. "jit:avx2"), for tests and benchmarks.
    private(set) var implementation = ""
    /// Each argument's layout as the primitive runs it: an argument given as `anyDesc` holds the
    /// layout oneDNN chose, which the caller reorders to and from (`CompiledReorder`).
    private(set) var layouts: [Int32: dnnl_memory_desc_t] = [:]

    /// `operation` points at an initialised oneDNN operation descriptor (convolution, pooling);
    /// `hint` is the forward primitive descriptor a backward primitive needs. `arguments` gives the
    /// memory descriptor of every argument but the workspace, which comes from the primitive;
    /// an `anyDesc` lets the primitive choose that argument's layout.
    init(operation: UnsafeRawPointer, hint: dnnl_primitive_desc_t? = nil,
         arguments: [(Int32, dnnl_memory_desc_t)], hasWorkspace: Bool = false, what: String) {
        let engine = DNNLContext.shared.engineHandle
        var descriptor: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&descriptor, operation, nil, engine, hint), "\(what) primitive descriptor")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var name: UnsafePointer<CChar>?
        if dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name {
            implementation = String(cString: name)
        }
        check(dnnl_primitive_create(&primitive, descriptor), "\(what) primitive")
        let none = vitc_dnnl_memory_none()
        for (argument, given) in arguments {
            var memoryDesc = dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, argument)?.pointee ?? given
            var memory: dnnl_memory_t?
            check(dnnl_memory_create(&memory, &memoryDesc, engine, none), "\(what) memory")
            memories.append((argument, memory))
            layouts[argument] = memoryDesc
        }
        if hasWorkspace, let workspaceDesc = dnnl_primitive_desc_query_md(descriptor, dnnl_query_workspace_md, 0) {
            var memory: dnnl_memory_t?
            check(dnnl_memory_create(&memory, workspaceDesc, engine, none), "\(what) workspace memory")
            memories.append((vitc_dnnl_arg_workspace(), memory))
            workspaceBytes = dnnl_memory_desc_get_size(workspaceDesc)
        }
    }

    /// The forward primitive descriptor for `operation`, for a backward primitive's hint; the caller destroys it.
    static func forwardHint(operation: UnsafeRawPointer, what: String) -> dnnl_primitive_desc_t {
        var descriptor: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&descriptor, operation, nil, DNNLContext.shared.engineHandle, nil),
              "\(what) forward hint")
        return descriptor!
    }

    /// Runs on the shared stream; `pointers` holds one data pointer per argument given at init
    /// (and the workspace's, when there is one).
    func run(_ pointers: [Int32: UnsafeMutableRawPointer]) {
        var arguments: [dnnl_exec_arg_t] = []
        for (argument, memory) in memories {
            guard let pointer = pointers[argument] else { preconditionFailure("oneDNN: no data for argument \(argument)") }
            check(dnnl_memory_set_data_handle(memory, pointer), "set data")
            arguments.append(dnnl_exec_arg_t(arg: argument, memory: memory))
        }
        let stream = DNNLContext.shared.streamHandle
        check(dnnl_primitive_execute(primitive, stream, Int32(arguments.count), arguments), "primitive execute")
        check(dnnl_stream_wait(stream), "stream wait")
    }

    /// A plain row-major float32 memory descriptor (nchw for activations, oihw for weights).
    static func plainDesc(_ dims: [Int]) -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        let dims64 = dims.map(Int64.init)
        var strides = [Int64](repeating: 1, count: dims.count)
        for i in stride(from: dims.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims64[i + 1] }
        check(dnnl_memory_desc_init_by_strides(&desc, Int32(dims.count), dims64, dnnl_f32, strides), "plain desc \(dims)")
        return desc
    }

    /// A float32 image batch stored channels-last, [B, H, W, C] in memory, described to oneDNN by
    /// its logical dims [B, C, H, W] (nhwc). oneDNN's jit convolutions and poolings run on it;
    /// on plain nchw an AVX2 CPU gets im2col convolutions and a reference max pooling, 5x slower.
    static func channelsLastDesc(batch: Int, channels: Int, size: Int,
                                 type: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_tag(&desc, 4, [batch, channels, size, size].map(Int64.init), type, dnnl_nhwc),
              "channels-last desc")
        return desc
    }

    /// A descriptor whose layout the primitive chooses (read it back from `layouts`).
    static func anyDesc(_ dims: [Int], type: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), dims.map(Int64.init), type, dnnl_format_tag_any),
              "any-layout desc \(dims)")
        return desc
    }
}

/// One compiled primitive (or bundle of primitives) per key (shape and kind).
final class PrimitiveCache<Key: Hashable, Value> {
    private var primitives: [Key: Value] = [:]

    func primitive(_ key: Key, make: () -> Value) -> Value {
        if let known = primitives[key] { return known }
        let made = make()
        primitives[key] = made
        return made
    }
}
