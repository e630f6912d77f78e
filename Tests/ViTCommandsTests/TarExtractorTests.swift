import ViTCore
import XCTest
@testable import ViTCommands
@testable import ViTStages

final class TarExtractorTests: XCTestCase {
    /// A ustar header as tar writes one, for archives tar itself refuses to make.
    private func header(name: String, size: Int, type: Character) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, byte) in text.utf8.enumerated() { block[offset + i] = byte } }
        put(name, at: 0)
        put("0000644", at: 100)
        put(String(format: "%011o", size), at: 124)
        put(String(type), at: 156)
        put("ustar\u{0}00", at: 257)
        put("        ", at: 148)
        put(String(format: "%06o\u{0} ", block.reduce(0) { $0 + Int($1) }), at: 148)
        return block
    }

    private func extract(_ bytes: [UInt8], piece: Int = 1000) throws -> (folder: String, files: [String]) {
        let folder = temporaryPath("unpacked")
        var extractor = TarExtractor(destination: folder, source: "test.tar")
        for start in stride(from: 0, to: bytes.count, by: piece) {
            try bytes[start..<min(start + piece, bytes.count)].withUnsafeBytes { try extractor.consume($0) }
        }
        try extractor.finish()
        return (folder, extractor.files)
    }

    func testUnpacksWhatTheSystemTarPackedInEitherFormat() throws {
        let source = temporaryPath("tree")
        try FileManager.default.createDirectory(atPath: source + "/top/sub", withIntermediateDirectories: true)
        let contents = ["top/a.bin": [UInt8](repeating: 7, count: 30_730), "top/sub/b.txt": Array("hello\n".utf8),
                        "top/empty": []]
        for (name, bytes) in contents { try Data(bytes).write(to: URL(fileURLWithPath: source + "/" + name)) }
        for format in ["gnu", "ustar", "pax"] {
            let archive = temporaryPath("\(format).tar")
            try runTool("/bin/tar", ["cf", archive, "--format=\(format)", "-C", source, "top"])
            let (folder, files) = try extract(Array(try Data(contentsOf: URL(fileURLWithPath: archive))), piece: 333)
            XCTAssertEqual(Set(files), Set(contents.keys), format)
            for (name, bytes) in contents {
                XCTAssertEqual(FileManager.default.contents(atPath: folder + "/" + name).map { Array($0) }, bytes, "\(format) \(name)")
            }
        }
    }

    func testRefusesNamesThatWouldLandOutsideTheTarget() throws {
        for name in ["../escaped", "/tmp/escaped-vitc", "a/../../escaped"] {
            let archive = header(name: name, size: 3, type: "0") + Array("abc".utf8) + [UInt8](repeating: 0, count: 509 + 1024)
            XCTAssertThrowsError(try extract(archive)) {
                XCTAssertEqual("\($0)", "test.tar: tar entry '\(name)' would be written outside the target folder")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/escaped-vitc"))
    }

    func testRefusesLinks() throws {
        let archive = header(name: "link", size: 0, type: "2") + [UInt8](repeating: 0, count: 1024)
        XCTAssertThrowsError(try extract(archive)) {
            XCTAssertEqual("\($0)", "test.tar: tar entry link has type '2'; only files and folders are unpacked")
        }
    }

    func testATruncatedArchiveIsRefusedInOneLine() throws {
        let archive = header(name: "data.bin", size: 2000, type: "0") + [UInt8](repeating: 1, count: 1500)
        XCTAssertThrowsError(try extract(archive)) {
            XCTAssertEqual("\($0)", "test.tar: tar entry data.bin is cut short (truncated archive?)")
        }
        XCTAssertThrowsError(try extract(Array(header(name: "x", size: 0, type: "0").prefix(300)))) {
            XCTAssertEqual("\($0)", "test.tar: tar header cut short (truncated archive?)")
        }
    }

    func testBytesThatAreNotTarAreRefusedInOneLine() throws {
        var generator = SeededGenerator(seed: 9)
        let noise = (0..<2048).map { _ in UInt8(generator.nextInt(below: 256)) }
        XCTAssertThrowsError(try extract(noise)) { XCTAssertEqual("\($0)", "test.tar: not a tar archive (bad header checksum)") }
        XCTAssertThrowsError(try extract([])) { XCTAssertEqual("\($0)", "test.tar: not a tar archive (no entries)") }
    }
}
