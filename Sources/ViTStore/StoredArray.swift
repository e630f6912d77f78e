import ViTCore

/// One dataset of a checkpoint: a row-major array with its shape and its exact element type.
public struct StoredArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: Values

    public enum Values: Equatable, Sendable {
        case float32([Float])
        case float64([Double])
        case int8([Int8])
        case int32([Int32])
        case int64([Int64])
    }

    /// Not checked here: `Checkpoint.save` checks `shape` against the value count and names the key.
    public init(shape: [Int], values: Values) {
        self.shape = shape
        self.values = values
    }

    public init(_ tensor: Tensor) { self.init(shape: tensor.shape, values: .float32(tensor.data)) }

    /// A 1-D column, as stored under /logs/.
    public init(floats: [Float]) { self.init(shape: [floats.count], values: .float32(floats)) }
    public init(doubles: [Double]) { self.init(shape: [doubles.count], values: .float64(doubles)) }
    public init(ints: [Int]) { self.init(shape: [ints.count], values: .int64(ints.map { Int64($0) })) }

    /// A scalar (shape `[]`), such as the optimizer's step count.
    public init(scalar: Int) { self.init(shape: [], values: .int64([Int64(scalar)])) }

    public var elementType: ElementType {
        switch values {
        case .float32: return .float32
        case .float64: return .float64
        case .int8: return .int8
        case .int32: return .int32
        case .int64: return .int64
        }
    }

    public var count: Int {
        switch values {
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        case .int8(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        }
    }

    /// The values as a Tensor; nil unless stored as float32, since a Tensor holds Floats only.
    public var tensor: Tensor? {
        guard case .float32(let data) = values, shape.reduce(1, *) == data.count else { return nil }
        return Tensor(shape: shape, data: data)
    }

    // Typed views: each is nil unless the array is stored as exactly that type.
    public var floats: [Float]? { if case .float32(let v) = values { return v } else { return nil } }
    public var doubles: [Double]? { if case .float64(let v) = values { return v } else { return nil } }
    public var int8s: [Int8]? { if case .int8(let v) = values { return v } else { return nil } }
    public var int32s: [Int32]? { if case .int32(let v) = values { return v } else { return nil } }
    public var int64s: [Int64]? { if case .int64(let v) = values { return v } else { return nil } }
}
