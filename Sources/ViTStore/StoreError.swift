/// Everything that can go wrong reading or writing a vitc file. Each message is one line that
/// starts with the file and names the key, so a failing run says what to fix without a debugger.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case missingFile(file: String)
    case notHDF5(file: String)
    case notVitcCheckpoint(file: String)
    case unsupportedFormatVersion(file: String, found: AttributeValue, supported: Int)
    case missingDataset(file: String, path: String)
    case unexpectedDataset(file: String, path: String)
    case missingObject(file: String, path: String)
    case missingAttribute(file: String, object: String, name: String)
    case wrongElementType(file: String, path: String, stored: ElementType, requested: ElementType)
    case unsupportedElementType(file: String, path: String, detail: String)
    case shapeMismatch(file: String, path: String, found: [Int], expected: [Int])
    case valueCountMismatch(file: String, path: String, shape: [Int], count: Int)
    case invalidName(file: String, name: String, reason: String)
    /// A C call (HDF5 or the OS) failed; `detail` is the library's own reason.
    case operationFailed(file: String, action: String, detail: String)
    /// The bytes on disk are not the ones vitc wrote (the stored SHA-256 disagrees).
    case damaged(file: String, detail: String)
    /// A safetensors file whose header or data section breaks the format (see SafeTensors).
    case notSafeTensors(file: String, detail: String)
    /// An imported state_dict whose names or shapes are not those of the requested architecture.
    case architectureMismatch(file: String, detail: String)
    case unknownStage(file: String, name: String)

    public var file: String {
        switch self {
        case .missingFile(let file), .notHDF5(let file), .notVitcCheckpoint(let file),
             .unsupportedFormatVersion(let file, _, _), .missingDataset(let file, _),
             .unexpectedDataset(let file, _), .missingObject(let file, _),
             .missingAttribute(let file, _, _), .wrongElementType(let file, _, _, _),
             .unsupportedElementType(let file, _, _), .shapeMismatch(let file, _, _, _),
             .valueCountMismatch(let file, _, _, _), .invalidName(let file, _, _),
             .operationFailed(let file, _, _), .damaged(let file, _), .notSafeTensors(let file, _),
             .architectureMismatch(let file, _), .unknownStage(let file, _):
            return file
        }
    }

    public var description: String {
        let line = "\(file): \(message)"
        // HDF5's reasons sometimes carry newlines; logs and test output want one line per error.
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private var message: String {
        switch self {
        case .missingFile: return "no such file"
        case .notHDF5: return "not an HDF5 file"
        case .notVitcCheckpoint: return "not a vitc checkpoint (no format = \"vitc\" attribute)"
        case .unsupportedFormatVersion(_, let found, let supported):
            return "format_version \(found), this vitc reads \(supported)"
        case .missingDataset(_, let path): return "missing dataset \(path)"
        case .unexpectedDataset(_, let path): return "unexpected dataset \(path)"
        case .missingObject(_, let path): return "missing group or dataset \(path)"
        case .missingAttribute(_, let object, let name): return "missing attribute \(name) on \(object)"
        case .wrongElementType(_, let path, let stored, let requested):
            return "\(path) holds \(stored), read as \(requested)"
        case .unsupportedElementType(_, let path, let detail):
            return "\(path) has an unsupported element type (\(detail))"
        case .shapeMismatch(_, let path, let found, let expected):
            return "\(path) has shape \(found), expected \(expected)"
        case .valueCountMismatch(_, let path, let shape, let count):
            return "\(path) has shape \(shape) (\(shape.reduce(1, *)) values) but \(count) values were given"
        case .invalidName(_, let name, let reason): return "invalid name \"\(name)\": \(reason)"
        case .operationFailed(_, let action, let detail): return "\(action) (\(detail))"
        case .damaged(_, let detail): return "damaged file, refused (\(detail))"
        case .notSafeTensors(_, let detail): return "not a valid safetensors file (\(detail))"
        case .architectureMismatch(_, let detail): return "does not match the architecture: \(detail)"
        case .unknownStage(_, let name):
            return "unknown stage \"\(name)\" (vitc writes " + Stage.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        }
    }
}
