import Foundation
import ViTCore

/// A safetensors file (Hugging Face's format for a PyTorch state_dict), read without the library:
/// an 8-byte little-endian header length n, n bytes of JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}`,
/// then the data section, each tensor's bytes row-major and little-endian at its offsets
/// (counted from the start of the data section). Floating-point tensors become float32:
/// F32 as stored, F16 and BF16 exactly, F64 rounded to nearest.
public struct SafeTensors: Equatable {
    /// Every element type of the format. vitc converts the floating-point ones; the others can
    /// only be skipped (a state_dict's integer buffers, such as BatchNorm's step counter).
    public enum DType: String, CaseIterable, Sendable {
        case F64, F32, F16, BF16, F8_E5M2, F8_E4M3, I64, I32, I16, I8, U64, U32, U16, U8, BOOL

        public var byteCount: Int {
            switch self {
            case .F64, .I64, .U64: return 8
            case .F32, .I32, .U32: return 4
            case .F16, .BF16, .I16, .U16: return 2
            case .F8_E5M2, .F8_E4M3, .I8, .U8, .BOOL: return 1
            }
        }

        public static let readable: [DType] = [.F32, .F16, .BF16, .F64]
    }

    /// Tensors by name (a state_dict's dotted names), as float32.
    public var tensors: [String: Tensor]
    /// The element type each tensor was stored as (F32 for tensors made here).
    public var storedTypes: [String: DType]
    /// The header's free-form `__metadata__` (e.g. {"format": "pt"}).
    public var metadata: [String: String]
    /// Tensors left unread because the reader was asked to skip them (their layout is still checked).
    public var skipped: [String] = []

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.storedTypes = tensors.mapValues { _ in .F32 }
        self.metadata = metadata
    }

    /// The safetensors library refuses headers above 100 MB; so does vitc, before allocating one.
    static let maximumHeaderBytes: UInt64 = 100_000_000

    /// `skipping` names tensors to leave unread, whatever their element type.
    public static func read(from path: String, skipping: (String) -> Bool = { _ in false }) throws -> SafeTensors {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(file: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StoreError.operationFailed(file: path, action: "cannot read file", detail: error.localizedDescription)
        }
        return try data.withUnsafeBytes { try decode($0, file: path, skipping: skipping) }
    }

    /// Returns nothing unless the whole layout holds: the header fits in the file, every entry is
    /// well-formed, its byte range matches shape x dtype and lies in the data section, and the
    /// ranges tile that section with no overlap, hole or trailing byte (as the format requires),
    /// so a truncated or spliced file is refused rather than read misaligned.
    public static func decode(_ bytes: UnsafeRawBufferPointer, file: String,
                              skipping: (String) -> Bool = { _ in false }) throws -> SafeTensors {
        func fail(_ detail: String) -> StoreError { .notSafeTensors(file: file, detail: detail) }
        guard bytes.count >= 8 else {
            throw fail("\(bytes.count) bytes, too short for the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header length \(headerLength) runs past the end of the \(bytes.count)-byte file (truncated?)")
        }
        guard headerLength <= maximumHeaderBytes else {
            throw fail("header length \(headerLength) exceeds the format's limit of \(maximumHeaderBytes) bytes")
        }
        let dataStart = 8 + Int(headerLength)
        let header = Data(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        guard header.first == UInt8(ascii: "{"),
              let object = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any] else {
            throw fail("the \(headerLength)-byte header is not a JSON object")
        }
        let dataSize = bytes.count - dataStart

        var result = SafeTensors(tensors: [:])
        var ranges: [(name: String, begin: Int, end: Int)] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let metadata = value as? [String: String] else {
                    throw fail("__metadata__ must map strings to strings")
                }
                result.metadata = metadata
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }),
                  let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
                throw fail("tensor \(name) needs dtype, shape and data_offsets [begin, end]")
            }
            let skip = skipping(name)
            guard let dtype = DType(rawValue: dtypeName), skip || DType.readable.contains(dtype) else {
                throw StoreError.unsupportedElementType(
                    file: file, path: name,
                    detail: "\(dtypeName); vitc reads \(DType.readable.map(\.rawValue).joined(separator: ", "))")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard 0 <= begin, begin <= end else { throw fail("tensor \(name) has data_offsets [\(begin), \(end)]") }
            guard end <= dataSize else {
                throw fail("tensor \(name) ends at byte \(end) of a \(dataSize)-byte data section (truncated?)")
            }
            // A forged shape must not overflow (and trap) before it is compared with the offsets.
            let count = shape.reduce(1) { product, side in
                let (result, overflow) = product.multipliedReportingOverflow(by: side)
                return overflow ? Int.max / 8 : result
            }
            guard count * dtype.byteCount == end - begin else {
                throw fail("tensor \(name) of shape \(shape) and dtype \(dtype) needs \(count * dtype.byteCount) bytes, "
                           + "its data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            ranges.append((name, begin, end))
            if skip {
                result.skipped.append(name)
                continue
            }
            result.storedTypes[name] = dtype
            result.tensors[name] = Tensor(shape: shape, data: convert(bytes, at: dataStart + begin, count: count, dtype))
        }
        var covered = 0
        var previous = ""
        for range in ranges.sorted(by: { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }) {
            if range.begin < covered { throw fail("tensors \(previous) and \(range.name) overlap") }
            if range.begin > covered {
                throw fail("bytes \(covered)..<\(range.begin) of the data section belong to no tensor")
            }
            (covered, previous) = (range.end, range.name)
        }
        guard covered == dataSize else {
            throw fail("\(dataSize - covered) bytes after the last tensor belong to no tensor")
        }
        result.skipped.sort()
        return result
    }

    /// A JSON array of integers (2.5 is not one: the cast to Int is exact).
    private static func integers(_ value: Any?) -> [Int]? {
        guard let items = value as? [Any] else { return nil }
        let result = items.compactMap { $0 as? Int }
        return result.count == items.count ? result : nil
    }

    private static func convert(_ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int, _ dtype: DType) -> [Float] {
        func element<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + i * MemoryLayout<T>.size, as: T.self))
        }
        switch dtype {
        case .F32: return (0..<count).map { Float(bitPattern: element($0, UInt32.self)) }
        case .F64: return (0..<count).map { Float(Double(bitPattern: element($0, UInt64.self))) }
        case .BF16: return (0..<count).map { Float(bitPattern: UInt32(element($0, UInt16.self)) << 16) }
        case .F16: return (0..<count).map { floatFromHalf(element($0, UInt16.self)) }
        default: preconditionFailure("SafeTensors: \(dtype) is not converted (decode checks DType.readable first)")
        }
    }

    /// IEEE binary16 to float32, exactly (Swift's Float16 is missing on Intel macOS).
    static func floatFromHalf(_ half: UInt16) -> Float {
        let sign: UInt32 = UInt32(half >> 15) << 31
        let exponent = UInt32(half >> 10) & 0x1f
        let fraction = UInt32(half & 0x3ff)
        switch exponent {
        case 0:  // zero or subnormal: fraction x 2^-24
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:  // infinity or NaN
            return Float(bitPattern: sign | 0x7f80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | fraction << 13)
        }
    }
}
