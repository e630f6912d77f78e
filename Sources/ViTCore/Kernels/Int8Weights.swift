import CDNNL

/// A layer's int8 weight matrix W: [N, K] (PyTorch layout: N outputs, K inputs), with copies
/// reordered into the layouts oneDNN's kernels asked for. A layer is reordered once per layout
/// (in practice once), not once per call: at batch 1 the reorder would cost as much as the product.
public final class Int8Weights {
    public let outFeatures: Int
    public let inFeatures: Int
    /// [N, K], row-major.
    public let values: [Int8]
    private var layouts: [(descriptor: dnnl_memory_desc_t, data: UnsafeMutableRawPointer)] = []

    public init(values: [Int8], outFeatures: Int, inFeatures: Int) {
        precondition(values.count == outFeatures * inFeatures,
                     "Int8Weights: [\(outFeatures), \(inFeatures)] needs \(outFeatures * inFeatures) values, got \(values.count)")
        self.values = values
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
    }

    deinit {
        for layout in layouts { layout.data.deallocate() }
    }

    /// The weights in `descriptor`'s layout ([K, N] logically, as oneDNN's matmul reads B).
    func packed(as descriptor: dnnl_memory_desc_t) -> UnsafeRawPointer {
        var wanted = descriptor
        if let found = layouts.first(where: { layout in
            withUnsafePointer(to: layout.descriptor) { dnnl_memory_desc_equal($0, &wanted) != 0 }
        }) {
            return UnsafeRawPointer(found.data)
        }
        let data = UnsafeMutableRawPointer.allocate(byteCount: max(1, dnnl_memory_desc_get_size(&wanted)), alignment: 64)
        reorder(into: &wanted, data)
        layouts.append((descriptor, data))
        return UnsafeRawPointer(data)
    }

    private func reorder(into target: inout dnnl_memory_desc_t, _ data: UnsafeMutableRawPointer) {
        let engine = DNNLContext.shared.engine!, stream = DNNLContext.shared.stream!
        let (n, k) = (Int64(outFeatures), Int64(inFeatures))
        var plain = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_strides(&plain, 2, [k, n], dnnl_s8, [1, k]), "plain int8 weights desc")
        var descriptor: dnnl_primitive_desc_t?
        check(dnnl_reorder_primitive_desc_create(&descriptor, &plain, engine, &target, engine, nil), "weights reorder desc")
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var reorder: dnnl_primitive_t?
        check(dnnl_primitive_create(&reorder, descriptor), "weights reorder")
        defer { dnnl_primitive_destroy(reorder) }
        var source: dnnl_memory_t?, destination: dnnl_memory_t?
        values.withUnsafeBufferPointer { buffer in
            check(dnnl_memory_create(&source, &plain, engine, UnsafeMutableRawPointer(mutating: buffer.baseAddress!)),
                  "weights source memory")
            check(dnnl_memory_create(&destination, &target, engine, data), "weights target memory")
            let arguments = [dnnl_exec_arg_t(arg: vitc_dnnl_arg_from(), memory: source),
                             dnnl_exec_arg_t(arg: vitc_dnnl_arg_to(), memory: destination)]
            check(dnnl_primitive_execute(reorder, stream, 2, arguments), "weights reorder execute")
            check(dnnl_stream_wait(stream), "stream wait")
        }
        dnnl_memory_destroy(source)
        dnnl_memory_destroy(destination)
    }
}
