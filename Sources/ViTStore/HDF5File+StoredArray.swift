extension HDF5File {
    public func write(_ array: StoredArray, at path: String, compressed: Bool = false) throws {
        switch array.values {
        case .float32(let v): try write(v, shape: array.shape, at: path, compressed: compressed)
        case .float64(let v): try write(v, shape: array.shape, at: path, compressed: compressed)
        case .int8(let v): try write(v, shape: array.shape, at: path, compressed: compressed)
        case .int32(let v): try write(v, shape: array.shape, at: path, compressed: compressed)
        case .int64(let v): try write(v, shape: array.shape, at: path, compressed: compressed)
        }
    }

    /// Reads a dataset in whatever supported type it is stored as.
    public func readArray(at path: String) throws -> StoredArray {
        switch try elementType(of: path) {
        case .float32: let (shape, v) = try read(Float.self, at: path); return StoredArray(shape: shape, values: .float32(v))
        case .float64: let (shape, v) = try read(Double.self, at: path); return StoredArray(shape: shape, values: .float64(v))
        case .int8: let (shape, v) = try read(Int8.self, at: path); return StoredArray(shape: shape, values: .int8(v))
        case .int32: let (shape, v) = try read(Int32.self, at: path); return StoredArray(shape: shape, values: .int32(v))
        case .int64: let (shape, v) = try read(Int64.self, at: path); return StoredArray(shape: shape, values: .int64(v))
        }
    }
}
