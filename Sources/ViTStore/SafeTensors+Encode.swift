import Foundation
import ViTCore

extension SafeTensors {
    /// The file's bytes, every tensor as F32 in name order. The header is padded with spaces to a
    /// multiple of 8 bytes, as the safetensors library pads it, so the data section stays aligned.
    public func encoded() -> [UInt8] {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let tensor = tensors[name]!
            header[name] = ["dtype": DType.F32.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + 4 * tensor.count]]
            offset += 4 * tensor.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = [UInt8](try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        json += [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        var bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { [UInt8]($0) } + json
        bytes.reserveCapacity(bytes.count + offset)
        for name in names {
            for value in tensors[name]!.data {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
            }
        }
        return bytes
    }

    /// Writes the file beside its destination and renames it into place.
    public func write(to path: String) throws {
        do {
            try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw StoreError.operationFailed(file: path, action: "cannot write file", detail: error.localizedDescription)
        }
    }
}
