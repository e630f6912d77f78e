import CHDF5

/// The element types a vitc file stores. Reading never converts between them: a float64 log
/// column read as float32 would silently lose digits, so a mismatch is an error instead.
public enum ElementType: String, Equatable, Sendable, CustomStringConvertible {
    case float32, float64, int8, int32, int64

    public var description: String { rawValue }

    var nativeType: hid_t {
        switch self {
        case .float32: return vitc_h5t_native_float()
        case .float64: return vitc_h5t_native_double()
        case .int8: return vitc_h5t_native_int8()
        case .int32: return vitc_h5t_native_int32()
        case .int64: return vitc_h5t_native_int64()
        }
    }
}

/// A Swift scalar type that maps one-to-one onto an `ElementType`.
public protocol HDF5Element {
    static var elementType: ElementType { get }
}

extension Float: HDF5Element { public static var elementType: ElementType { .float32 } }
extension Double: HDF5Element { public static var elementType: ElementType { .float64 } }
extension Int8: HDF5Element { public static var elementType: ElementType { .int8 } }
extension Int32: HDF5Element { public static var elementType: ElementType { .int32 } }
extension Int64: HDF5Element { public static var elementType: ElementType { .int64 } }
