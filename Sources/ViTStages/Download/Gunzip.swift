import CZlib
import Foundation
import ViTCore

/// Streams a .gz file through zlib, so the 180 MB CIFAR-10 tar never sits in memory whole.
public enum Gunzip {
    /// Hands the decompressed bytes of `path` to `output` piece by piece. Members of a
    /// multi-member file (as `cat a.gz b.gz` makes) follow one another; zlib checks each
    /// member's CRC and length. Errors name the file `name` (default: its path).
    public static func inflate(file path: String, name: String? = nil, chunkSize: Int = 1 << 20,
                               into output: (UnsafeRawBufferPointer) throws -> Void) throws {
        let name = name ?? path
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DataError("\(name): could not be opened") }
        defer { try? handle.close() }
        var stream = z_stream()
        guard vitc_inflate_init_gzip(&stream) == Z_OK else { throw DataError("\(name): zlib could not start") }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: chunkSize)
        var readAny = false, inMember = false  // inMember: a member has begun and not yet ended
        while let chunk = try readChunk(handle, chunkSize, name), !chunk.isEmpty {
            readAny = true
            try chunk.withUnsafeBytes { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress!)
                stream.avail_in = uInt(input.count)
                // Until the input is used up and zlib has no more output waiting (a full
                // output buffer may leave some behind).
                while true {
                    if stream.avail_in > 0 { inMember = true }
                    let status = out.withUnsafeMutableBytes { buffer -> Int32 in
                        stream.next_out = buffer.bindMemory(to: Bytef.self).baseAddress!
                        stream.avail_out = uInt(buffer.count)
                        return CZlib.inflate(&stream, Z_NO_FLUSH)
                    }
                    let produced = out.count - Int(stream.avail_out)
                    if produced > 0 { try out.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
                    switch status {
                    case Z_OK, Z_BUF_ERROR:
                        break
                    case Z_STREAM_END:
                        inMember = false
                        guard inflateReset(&stream) == Z_OK else { throw DataError("\(name): zlib could not restart") }
                    default:
                        let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw DataError("\(name): not valid gzip data (\(detail))")
                    }
                    if status == Z_BUF_ERROR || (stream.avail_in == 0 && stream.avail_out > 0) { break }
                }
            }
        }
        if !readAny { throw DataError("\(name): empty file, expected gzip data") }
        if inMember { throw DataError("\(name): gzip data ends early (truncated?)") }
    }

    private static func readChunk(_ handle: FileHandle, _ count: Int, _ name: String) throws -> Data? {
        do { return try handle.read(upToCount: count) } catch {
            throw DataError("\(name): could not be read (\(error.localizedDescription))")
        }
    }
}
