import Foundation

/// A checkpoint's SHA-256, kept in its HDF5 user block: the first 512 bytes, which HDF5 reserves
/// for the application and skips (h5py and h5dump read such files as usual). It covers every byte
/// after the user block and is checked before libhdf5 parses anything, because a damaged object
/// header can crash libhdf5 itself, and attributes (the config JSON among them) and scalar
/// datasets have no Fletcher-32 checksum of their own.
enum FileDigest {
    static let userBlockSize = 512
    /// The user block starts with this, then 64 hex digits and a newline; the rest is zeros.
    static let tag = "vitc-sha256 "
    static let hdf5Signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

    /// Records the digest in a closed file that was created with a user block of `userBlockSize`.
    static func record(in path: String, reportingAs file: String) throws {
        let digest = try SHA256.hexDigest(ofFile: path, from: UInt64(userBlockSize))
        var block = Array((tag + digest + "\n").utf8)
        block += [UInt8](repeating: 0, count: userBlockSize - block.count)
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            throw StoreError.operationFailed(file: file, action: "cannot record the SHA-256", detail: "cannot reopen \(path)")
        }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: Data(block))
        } catch {
            throw StoreError.operationFailed(file: file, action: "cannot record the SHA-256", detail: "\(error)")
        }
    }

    /// Throws `damaged` unless the recorded digest matches. Files that start with the HDF5
    /// signature have no user block: vitc wrote them before it recorded digests (or another tool
    /// did), and they load unverified. A missing or unreadable file is left for HDF5 to report.
    static func verify(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        let head = (try? handle.read(upToCount: userBlockSize)).map { [UInt8]($0) } ?? []
        try? handle.close()
        if head.starts(with: hdf5Signature) { return }
        let tagBytes = Array(tag.utf8)
        guard head.starts(with: tagBytes), head.count == userBlockSize else {
            // A file whose HDF5 data begins after a user block without our tag has lost it.
            if try signature(of: path, at: UInt64(userBlockSize)) {
                throw StoreError.damaged(file: path, detail: "its user block holds no vitc SHA-256")
            }
            return  // Not HDF5 at all: openReadOnly says so.
        }
        let recorded = String(decoding: head[tagBytes.count..<tagBytes.count + 64], as: UTF8.self)
        let actual = try SHA256.hexDigest(ofFile: path, from: UInt64(userBlockSize))
        guard recorded == actual, head[tagBytes.count + 64] == UInt8(ascii: "\n") else {
            throw StoreError.damaged(file: path, detail: "its SHA-256 differs from the one recorded when it was written")
        }
    }

    private static func signature(of path: String, at offset: UInt64) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let bytes = try? handle.read(upToCount: 8) else { return false }
        return [UInt8](bytes) == hdf5Signature
    }
}
