import CDNNL

/// A oneDNN reorder between two layouts of the same tensor (e.g. PyTorch's plain oihw
/// convolution weights and the blocked layout a jit convolution asked for), built once per pair and
/// run on fresh pointers each call. Nil when the two layouts are the same: nothing to do.
final class CompiledReorder {
    private var primitive: dnnl_primitive_t?
    private var source: dnnl_memory_t?
    private var destination: dnnl_memory_t?
    /// Bytes each layout takes (a blocked layout may pad a dimension to its block).
    let sourceBytes: Int, destinationBytes: Int

    init?(from: dnnl_memory_desc_t, to: dnnl_memory_desc_t, what: String) {
        var (from, to) = (from, to)
        if dnnl_memory_desc_equal(&from, &to) != 0 { return nil }
        let engine = DNNLContext.shared.engineHandle
        var descriptor: dnnl_primitive_desc_t?
        check(dnnl_reorder_primitive_desc_create(&descriptor, &from, engine, &to, engine, nil), "\(what) reorder desc")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        check(dnnl_primitive_create(&primitive, descriptor), "\(what) reorder")
        let none = vitc_dnnl_memory_none()
        check(dnnl_memory_create(&source, &from, engine, none), "\(what) reorder source")
        check(dnnl_memory_create(&destination, &to, engine, none), "\(what) reorder destination")
        (sourceBytes, destinationBytes) = (dnnl_memory_desc_get_size(&from), dnnl_memory_desc_get_size(&to))
    }

    deinit {
        dnnl_memory_destroy(source)
        dnnl_memory_destroy(destination)
        dnnl_primitive_destroy(primitive)
    }

    func run(from: UnsafeRawPointer, to: UnsafeMutableRawPointer) {
        check(dnnl_memory_set_data_handle(source, UnsafeMutableRawPointer(mutating: from)), "set data")
        check(dnnl_memory_set_data_handle(destination, to), "set data")
        let arguments = [dnnl_exec_arg_t(arg: vitc_dnnl_arg_from(), memory: source),
                         dnnl_exec_arg_t(arg: vitc_dnnl_arg_to(), memory: destination)]
        let stream = DNNLContext.shared.streamHandle
        check(dnnl_primitive_execute(primitive, stream, 2, arguments), "reorder execute")
        check(dnnl_stream_wait(stream), "stream wait")
    }
}
