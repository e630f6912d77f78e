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
        reorder(into: wanted, data)
        layouts.append((descriptor, data))
        return UnsafeRawPointer(data)
    }

    private func reorder(into target: dnnl_memory_desc_t, _ data: UnsafeMutableRawPointer) {
        let (n, k) = (Int64(outFeatures), Int64(inFeatures))
        var plain = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_strides(&plain, 2, [k, n], dnnl_s8, [1, k]), "plain int8 weights desc")
        values.withUnsafeBytes { bytes in
            // A kernel may read the plain layout itself: then there is nothing to reorder, only to copy.
            if let reorder = CompiledReorder(from: plain, to: target, what: "int8 weights") {
                reorder.run(from: bytes.baseAddress!, to: data)
            } else {
                data.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
        }
    }
}
