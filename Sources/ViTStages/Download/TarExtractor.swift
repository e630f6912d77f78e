import Foundation
import ViTCore

/// Unpacks a tar stream (POSIX ustar or GNU), fed in pieces of any size, into a folder.
/// Only regular files and folders are written: a link, a device or a name that is absolute
/// or climbs with `..` is refused, so an archive cannot write outside `destination`.
public struct TarExtractor {
    public let destination: String
    /// Names the archive in errors.
    public let source: String
    /// Paths of the files written, relative to `destination`, in archive order.
    public private(set) var files: [String] = []

    private static let block = 512
    private var header: [UInt8] = []
    /// The entry being read: its file (nil for metadata that is skipped) and the bytes left of
    /// its data and of the padding to the next 512-byte block.
    private var entry: (file: FileHandle?, name: String, data: Int, padding: Int)?
    private var ended = false

    public init(destination: String, source: String) {
        self.destination = destination
        self.source = source
    }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes[...]
        while !rest.isEmpty && !ended {
            if var current = entry {
                let taken = min(current.data, rest.count)
                if taken > 0, let file = current.file {
                    let piece = UnsafeRawBufferPointer(rebasing: rest.prefix(taken))
                    do { try file.write(contentsOf: Data(bytes: piece.baseAddress!, count: taken)) } catch {
                        throw DataError("\(source): could not write \(current.name) (\(error.localizedDescription))")
                    }
                }
                current.data -= taken
                rest = rest.dropFirst(taken)
                let skipped = min(current.padding, rest.count)
                current.padding -= skipped
                rest = rest.dropFirst(skipped)
                if current.data == 0 && current.padding == 0 {
                    try? current.file?.close()
                    entry = nil
                } else {
                    entry = current
                }
            } else {
                let taken = min(Self.block - header.count, rest.count)
                header += rest.prefix(taken)
                rest = rest.dropFirst(taken)
                if header.count == Self.block {
                    try begin(header)
                    header = []
                }
            }
        }
    }

    /// Call at the end of the stream: an entry cut short means a truncated archive. A missing
    /// end-of-archive marker is let pass, as GNU tar does.
    public mutating func finish() throws {
        if let current = entry {
            try? current.file?.close()
            if current.data > 0 { throw DataError("\(source): tar entry \(current.name) is cut short (truncated archive?)") }
        }
        if !header.isEmpty { throw DataError("\(source): tar header cut short (truncated archive?)") }
        if !ended && files.isEmpty { throw DataError("\(source): not a tar archive (no entries)") }
    }

    private mutating func begin(_ header: [UInt8]) throws {
        if header.allSatisfy({ $0 == 0 }) {
            ended = true  // the end-of-archive marker; whatever follows is padding
            return
        }
        let stored = Self.number(header[148..<156])
        // The checksum is the byte sum of the header with its own field read as spaces.
        let sum = header.enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 32 : Int($1.element)) }
        guard stored == sum else { throw DataError("\(source): not a tar archive (bad header checksum)") }
        var name = Self.string(header[0..<100])
        if header[257..<263].elementsEqual("ustar\0".utf8) {  // POSIX: a prefix holds a long name's folders
            let prefix = Self.string(header[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        guard let size = Self.number(header[124..<136]), size >= 0 else {
            throw DataError("\(source): tar entry \(name) has an unreadable size")
        }
        let padding = (Self.block - size % Self.block) % Self.block
        switch header[156] {
        case UInt8(ascii: "0"), 0:
            let path = try safePath(name)
            let folder = (path as NSString).deletingLastPathComponent
            try createFolder(folder)
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let file = FileHandle(forWritingAtPath: path) else {
                throw DataError("\(source): could not create \(path)")
            }
            files.append(String(path.dropFirst(destination.count + 1)))
            entry = (file, name, size, padding)
        case UInt8(ascii: "5"):
            try createFolder(try safePath(name))
            entry = (nil, name, size, padding)
        case UInt8(ascii: "x"), UInt8(ascii: "g"):
            entry = (nil, name, size, padding)  // pax metadata (times, owners): not needed
        default:
            let type = Character(Unicode.Scalar(header[156]))
            throw DataError("\(source): tar entry \(name) has type '\(type)'; only files and folders are unpacked")
        }
        if size == 0 { entry = nil }
    }

    private func safePath(_ name: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !name.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else {
            throw DataError("\(source): tar entry '\(name)' would be written outside the target folder")
        }
        return destination + "/" + parts.joined(separator: "/")
    }

    private func createFolder(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DataError("\(source): could not create folder \(path) (\(error.localizedDescription))")
        }
    }

    private static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Octal ASCII, ended by a space or NUL; GNU writes large values in base 256 (high bit set).
    private static func number(_ field: ArraySlice<UInt8>) -> Int? {
        if let first = field.first, first & 0x80 != 0 {
            let digits = field.dropFirst()
            guard first == 0x80, digits.dropLast(7).allSatisfy({ $0 == 0 }) else { return nil }  // past 2^56
            return digits.suffix(7).reduce(0) { $0 << 8 | Int($1) }
        }
        let text = string(field).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? 0 : Int(text, radix: 8)
    }
}
