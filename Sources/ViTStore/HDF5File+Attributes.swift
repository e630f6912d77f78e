import CHDF5

extension HDF5File {
    /// Sets a scalar attribute on the group or dataset at `object`, replacing any old value.
    /// Strings are variable-length UTF-8, which h5py reads as `str` (fixed-length ones come back as bytes).
    public func setAttribute(_ name: String, _ value: AttributeValue, at object: String = "/") throws {
        let objectPath = try absolute(object)
        let handle = try openObject(objectPath)
        defer { H5Oclose(handle) }
        if try check(H5Aexists(handle, name), "cannot look up attribute \(name) on \(objectPath)") > 0 {
            try check(H5Adelete(handle, name), "cannot replace attribute \(name) on \(objectPath)")
        }
        let type = try attributeType(for: value)
        defer { H5Tclose(type) }
        let space = try check(H5Screate(H5S_SCALAR), "cannot create scalar dataspace")
        defer { H5Sclose(space) }
        let attribute = try check(H5Acreate2(handle, name, type, space, vitc_h5p_default(), vitc_h5p_default()),
                                  "cannot create attribute \(name) on \(objectPath)")
        defer { H5Aclose(attribute) }
        let action = "cannot write attribute \(name) on \(objectPath)"
        switch value {
        case .string(let text):
            // A variable-length string is passed as a pointer to its C string.
            try text.withCString { characters in
                var pointer: UnsafePointer<CChar>? = characters
                _ = try check(H5Awrite(attribute, type, &pointer), action)
            }
        case .int(let number):
            var stored = Int64(number)
            try check(H5Awrite(attribute, type, &stored), action)
        case .double(let number):
            var stored = number
            try check(H5Awrite(attribute, type, &stored), action)
        }
    }

    /// Reads a scalar attribute. Any integer type reads as `.int`, any float as `.double`, and
    /// strings of either length as `.string`, so files written by h5py load too.
    public func attribute(_ name: String, at object: String = "/") throws -> AttributeValue {
        let objectPath = try absolute(object)
        let handle = try openObject(objectPath)
        defer { H5Oclose(handle) }
        guard try check(H5Aexists(handle, name), "cannot look up attribute \(name) on \(objectPath)") > 0 else {
            throw StoreError.missingAttribute(file: displayName, object: objectPath, name: name)
        }
        let attribute = try check(H5Aopen(handle, name, vitc_h5p_default()), "cannot open attribute \(name)")
        defer { H5Aclose(attribute) }
        // The reads below fill one value; an array attribute (h5py writes those) would overrun it.
        let space = try check(H5Aget_space(attribute), "cannot get dataspace of attribute \(name)")
        defer { H5Sclose(space) }
        let count = H5Sget_simple_extent_npoints(space)
        guard count == 1 else {
            throw StoreError.unsupportedElementType(file: displayName, path: "attribute \(name) on \(objectPath)",
                                                    detail: "\(count) values, vitc reads scalar attributes")
        }
        let type = try check(H5Aget_type(attribute), "cannot get type of attribute \(name)")
        defer { H5Tclose(type) }
        let action = "cannot read attribute \(name) on \(objectPath)"
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            var number: Int64 = 0
            try check(H5Aread(attribute, vitc_h5t_native_int64(), &number), action)
            return .int(Int(number))
        case H5T_FLOAT:
            var number = 0.0
            try check(H5Aread(attribute, vitc_h5t_native_double(), &number), action)
            return .double(number)
        case H5T_STRING where H5Tis_variable_str(type) > 0:
            var pointer: UnsafeMutablePointer<CChar>? = nil
            try check(H5Aread(attribute, type, &pointer), action)
            defer { H5free_memory(pointer) }
            return .string(pointer.map { String(cString: $0) } ?? "")
        case H5T_STRING:
            var bytes = [UInt8](repeating: 0, count: H5Tget_size(type))
            try check(H5Aread(attribute, type, &bytes), action)
            // Fixed-length strings are padded with NULs, or with spaces for Fortran-style types.
            var text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            if H5Tget_strpad(type) == H5T_STR_SPACEPAD { while text.last == " " { text.removeLast() } }
            return .string(text)
        default:
            throw StoreError.unsupportedElementType(file: displayName, path: "attribute \(name) on \(objectPath)",
                                                    detail: "HDF5 class \(H5Tget_class(type).rawValue)")
        }
    }

    /// The names of all attributes on `object`, sorted.
    public func attributeNames(at object: String = "/") throws -> [String] {
        let objectPath = try absolute(object)
        let handle = try openObject(objectPath)
        defer { H5Oclose(handle) }
        var names: [String] = []
        try withUnsafeMutablePointer(to: &names) { context in
            _ = try check(H5Aiterate2(handle, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, context in
                context?.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name!))
                return 0
            }, context), "cannot list attributes of \(objectPath)")
        }
        return names.sorted()
    }

    private func openObject(_ path: String) throws -> hid_t {
        guard try exists(path) else { throw StoreError.missingObject(file: displayName, path: path) }
        return try check(H5Oopen(id, path, vitc_h5p_default()), "cannot open \(path)")
    }

    private func attributeType(for value: AttributeValue) throws -> hid_t {
        switch value {
        case .int: return try check(H5Tcopy(vitc_h5t_native_int64()), "cannot copy int64 type")
        case .double: return try check(H5Tcopy(vitc_h5t_native_double()), "cannot copy float64 type")
        case .string:
            let type = try check(H5Tcopy(vitc_h5t_c_s1()), "cannot copy string type")
            guard H5Tset_size(type, vitc_h5t_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
                H5Tclose(type)
                throw StoreError.operationFailed(file: displayName, action: "cannot make a UTF-8 string type",
                                                 detail: HDF5ErrorStack.mostSpecificMessage())
            }
            return type
        }
    }
}
