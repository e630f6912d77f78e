import CHDF5

extension HDF5File {
    /// Writes `values` (row-major) as a new dataset at `path`, creating missing groups on the way.
    /// An empty `shape` stores a scalar. `compressed` chunks the dataset and deflates it, which
    /// shrinks pruned (mostly zero) weights several-fold on disk.
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
        let count = shape.reduce(1, *)
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

    /// Whether the dataset was written with `compressed: true` (chunked, with filters).
    public func isCompressed(_ path: String) throws -> Bool {
        let path = try absolute(path)
        let dataset = try openDataset(path)
        defer { H5Dclose(dataset) }
        let createList = try check(H5Dget_create_plist(dataset), "cannot get creation properties of \(path)")
        defer { H5Pclose(createList) }
        return H5Pget_layout(createList) == H5D_CHUNKED && H5Pget_nfilters(createList) > 0
    }

    private func openDataset(_ path: String) throws -> hid_t {
        guard try exists(path) else { throw StoreError.missingDataset(file: displayName, path: path) }
        return try check(H5Dopen2(id, path, vitc_h5p_default()), "cannot open dataset \(path)")
    }

    /// Chunks are whole rows, at most about 1 MiB: HDF5's default chunk cache holds 1 MiB, so
    /// larger chunks would be inflated again on every partial read.
    private func datasetCreationList(shape: [Int], elementSize: Int, compressed: Bool) throws -> hid_t {
        let list = try check(H5Pcreate(vitc_h5p_dataset_create()), "cannot create dataset property list")
        // Scalars cannot be chunked and zero-length dimensions have nothing to compress.
        guard compressed, !shape.isEmpty, !shape.contains(0) else { return list }
        do {
            let rowBytes = shape.dropFirst().reduce(elementSize, *)
            var chunk = shape.map { hsize_t($0) }
            chunk[0] = hsize_t(max(1, min(shape[0], (1 << 20) / rowBytes)))
            try check(H5Pset_chunk(list, Int32(chunk.count), chunk), "cannot set chunk shape \(chunk)")
            // No shuffle filter: compressed datasets are pruned weights, mostly zeros, and byte
            // shuffling them made a 90%-sparse student 23% larger (905 KB against 736 KB).
            try check(H5Pset_deflate(list, 4), "cannot enable the deflate filter")
        } catch {
            H5Pclose(list)
            throw error
        }
        return list
    }
}
