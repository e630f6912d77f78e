import CHDF5

extension HDF5File {
    /// Writes `values` (row-major) as a new dataset at `path`, creating missing groups on the way.
    /// An empty `shape` stores a scalar. Every dataset with values is chunked and carries a
    /// Fletcher-32 checksum per chunk, so damaged data fails the read instead of loading;
    /// `compressed` also deflates it, which shrinks pruned (mostly zero) weights several-fold on disk.
    public func write<T: HDF5Element>(_ values: [T], shape: [Int], at path: String, compressed: Bool = false) throws {
        let path = try absolute(path)
        // Checked before anything is created, so a bad call leaves no half-made dataset behind.
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw StoreError.valueCountMismatch(file: displayName, path: path, shape: shape, count: values.count)
        }
        let space = try check(shape.isEmpty ? H5Screate(H5S_SCALAR)
                                            : H5Screate_simple(Int32(shape.count), shape.map { hsize_t($0) }, nil),
                              "cannot create dataspace for \(path)")
        defer { H5Sclose(space) }
        let linkList = try check(H5Pcreate(vitc_h5p_link_create()), "cannot create link property list")
        defer { H5Pclose(linkList) }
        try check(H5Pset_create_intermediate_group(linkList, 1), "cannot set intermediate group creation")
        try check(H5Pset_char_encoding(linkList, H5T_CSET_UTF8), "cannot set UTF-8 link names")
        let createList = try datasetCreationList(shape: shape, elementSize: MemoryLayout<T>.stride, compressed: compressed)
        defer { H5Pclose(createList) }
        let type = T.elementType.nativeType
        let dataset = try check(H5Dcreate2(id, path, type, space, linkList, createList, vitc_h5p_default()),
                                "cannot create dataset \(path)")
        defer { H5Dclose(dataset) }
        if values.isEmpty { return }  // HDF5 rejects a null buffer even for zero elements.
        try values.withUnsafeBytes { bytes in
            _ = try check(H5Dwrite(dataset, type, vitc_h5s_all(), vitc_h5s_all(), vitc_h5p_default(), bytes.baseAddress),
                      "cannot write dataset \(path)")
        }
    }

    /// Reads the dataset at `path`; throws `wrongElementType` unless it is stored as `T`.
    public func read<T: HDF5Element>(_ type: T.Type, at path: String) throws -> (shape: [Int], values: [T]) {
        let path = try absolute(path)
        let stored = try elementType(of: path)
        guard stored == T.elementType else {
            throw StoreError.wrongElementType(file: displayName, path: path, stored: stored, requested: T.elementType)
        }
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        let shape = try shape(of: path)
        let count = try plausibleCount(shape, elementSize: MemoryLayout<T>.stride, path: path)
        let values = try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                _ = try check(H5Dread(dataset, T.elementType.nativeType, vitc_h5s_all(), vitc_h5s_all(),
                                  vitc_h5p_default(), buffer.baseAddress), "cannot read dataset \(path)")
            }
            initialized = count
        }
        return (shape, values)
    }

    /// The dataset's dimensions; `[]` for a scalar.
    public func shape(of path: String) throws -> [Int] {
        let path = try absolute(path)
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        let space = try check(H5Dget_space(dataset), "cannot get dataspace of \(path)")
        defer { H5Sclose(space) }
        // An empty (null) dataspace has rank 0 like a scalar but holds no value to read.
        guard H5Sget_simple_extent_type(space) != H5S_NULL else {
            throw StoreError.unsupportedElementType(file: displayName, path: path, detail: "null dataspace, no values")
        }
        let rank = Int(try check(H5Sget_simple_extent_ndims(space), "cannot get rank of \(path)"))
        var dims = [hsize_t](repeating: 0, count: rank)
        try check(H5Sget_simple_extent_dims(space, &dims, nil), "cannot get dimensions of \(path)")
        return dims.map { Int($0) }
    }

    /// How the dataset is stored; datasets written by other tools may hold types vitc cannot read.
    public func elementType(of path: String) throws -> ElementType {
        let path = try absolute(path)
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        let type = try check(H5Dget_type(dataset), "cannot get type of \(path)")
        defer { H5Tclose(type) }
        let typeClass = H5Tget_class(type), size = H5Tget_size(type), sign = H5Tget_sign(type)
        switch (typeClass, size) {
        case (H5T_FLOAT, 4): return .float32
        case (H5T_FLOAT, 8): return .float64
        case (H5T_INTEGER, 1) where sign == H5T_SGN_2: return .int8
        case (H5T_INTEGER, 4) where sign == H5T_SGN_2: return .int32
        case (H5T_INTEGER, 8) where sign == H5T_SGN_2: return .int64
        default:
            let signedness = typeClass == H5T_INTEGER ? (sign == H5T_SGN_2 ? "signed " : "unsigned ") : ""
            throw StoreError.unsupportedElementType(
                file: displayName, path: path, detail: "\(signedness)HDF5 class \(typeClass.rawValue), \(size) bytes")
        }
    }

    /// Whether the dataset was written with `compressed: true` (deflated).
    public func isCompressed(_ path: String) throws -> Bool {
        try hasFilter(H5Z_FILTER_DEFLATE, path)
    }

    /// Whether HDF5 verifies a Fletcher-32 checksum when it reads the dataset; false for files
    /// written before vitc added them, and for scalars and empty arrays, which cannot be chunked.
    public func isChecksummed(_ path: String) throws -> Bool {
        try hasFilter(H5Z_FILTER_FLETCHER32, path)
    }

    private func hasFilter(_ filter: H5Z_filter_t, _ path: String) throws -> Bool {
        let path = try absolute(path)
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        let createList = try check(H5Dget_create_plist(dataset), "cannot get creation properties of \(path)")
        defer { H5Pclose(createList) }
        guard H5Pget_layout(createList) == H5D_CHUNKED else { return false }
        var flags: UInt32 = 0, valueCount = 0
        // Fails, rather than answering "no", when the filter is absent; nothing else is wrong then.
        let found = H5Pget_filter_by_id2(createList, filter, &flags, &valueCount, nil, 0, nil, nil) >= 0
        H5Eclear2(vitc_h5e_default())
        return found
    }

    /// The number of values, refusing shapes no file of this size could hold: a damaged
    /// dataspace can claim 10^18 values, and allocating those would crash the process.
    /// Deflate expands at most 1032-fold, so no dataset's values exceed 1032 x the file.
    private func plausibleCount(_ shape: [Int], elementSize: Int, path: String) throws -> Int {
        var fileSize: hsize_t = 0
        try check(H5Fget_filesize(id, &fileSize), "cannot get the size of the file")
        var bytes = elementSize
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= 1032 * Int(fileSize) else {
                throw StoreError.damaged(file: displayName, detail: "\(path) claims shape \(shape), more than the file can hold")
            }
            bytes = product
        }
        return bytes / elementSize
    }

    private func openDataset(_ path: String) throws -> hid_t {
        guard try exists(path) else { throw StoreError.missingDataset(file: displayName, path: path) }
        return try check(H5Dopen2(id, path, vitc_h5p_default()), "cannot open dataset \(path)")
    }

    /// Chunks are whole rows, at most about 1 MiB: HDF5's default chunk cache holds 1 MiB, so
    /// larger chunks would be inflated and checksummed again on every partial read.
    private func datasetCreationList(shape: [Int], elementSize: Int, compressed: Bool) throws -> hid_t {
        let list = try check(H5Pcreate(vitc_h5p_dataset_create()), "cannot create dataset property list")
        // Filters need chunks, and HDF5 chunks neither scalars nor arrays with a zero-length
        // dimension; those stay contiguous, without a checksum (the file's own SHA-256 covers them).
        guard !shape.isEmpty, !shape.contains(0) else { return list }
        do {
            let rowBytes = shape.dropFirst().reduce(elementSize, *)
            var chunk = shape.map { hsize_t($0) }
            chunk[0] = hsize_t(max(1, min(shape[0], (1 << 20) / rowBytes)))
            try check(H5Pset_chunk(list, Int32(chunk.count), chunk), "cannot set chunk shape \(chunk)")
            // No shuffle filter: compressed datasets are pruned weights, mostly zeros, and byte
            // shuffling them made a 90%-sparse student 23% larger (905 KB against 736 KB).
            if compressed { try check(H5Pset_deflate(list, 4), "cannot enable the deflate filter") }
            // Last in the pipeline, so the checksum covers the bytes on disk and a damaged
            // compressed chunk is refused before it reaches the inflater.
            try check(H5Pset_fletcher32(list), "cannot enable the Fletcher-32 checksum filter")
        } catch {
            H5Pclose(list)
            throw error
        }
        return list
    }
}
