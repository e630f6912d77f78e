import ViTCore
import XCTest
@testable import ViTCommands
@testable import ViTStages

final class GunzipTests: XCTestCase {
    private func gzip(_ bytes: [UInt8]) throws -> Data {
        let path = temporaryPath("plain.bin")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try runTool("/bin/gzip", ["-f", path])
        defer { try? FileManager.default.removeItem(atPath: path + ".gz") }
        return try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
    }

    private func inflate(_ data: Data, chunkSize: Int = 4096) throws -> [UInt8] {
        let path = temporaryPath("file.gz")
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var out: [UInt8] = []
        try Gunzip.inflate(file: path, name: "file.gz", chunkSize: chunkSize) { out += $0 }
        return out
    }

    private func randomText(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8(ascii: "a") + UInt8(generator.nextInt(below: 6)) }  // compressible
    }

    func testGivesBackWhatTheSystemGzipCompressed() throws {
        let plain = randomText(300_000, seed: 1)
        // Small pieces: many reads, and an output buffer that fills before the input is used up.
        XCTAssertEqual(try inflate(try gzip(plain), chunkSize: 1000), plain)
        XCTAssertEqual(try inflate(try gzip(plain), chunkSize: 1 << 20), plain)
        XCTAssertEqual(try inflate(try gzip([])), [])
    }

    func testConcatenatedMembersFollowOneAnother() throws {
        let first = randomText(5000, seed: 2), second = randomText(7000, seed: 3)
        XCTAssertEqual(try inflate(try gzip(first) + gzip(second), chunkSize: 777), first + second)
    }

    func testATruncatedFileIsRefusedInOneLine() throws {
        let packed = try gzip(randomText(100_000, seed: 4))
        XCTAssertThrowsError(try inflate(packed.prefix(packed.count / 2))) {
            XCTAssertEqual("\($0)", "file.gz: gzip data ends early (truncated?)")
        }
        // Cut inside the trailer: the data is whole but the CRC and length are missing.
        XCTAssertThrowsError(try inflate(packed.prefix(packed.count - 3))) {
            XCTAssertEqual("\($0)", "file.gz: gzip data ends early (truncated?)")
        }
    }

    func testDamagedOrForeignDataIsRefusedInOneLine() throws {
        XCTAssertThrowsError(try inflate(Data("plain text, not gzip".utf8))) {
            XCTAssertEqual("\($0)", "file.gz: not valid gzip data (incorrect header check)")
        }
        var packed = try gzip(randomText(100_000, seed: 5))
        packed[packed.count - 6] ^= 0xff  // inside the CRC
        XCTAssertThrowsError(try inflate(packed)) {
            XCTAssertEqual("\($0)", "file.gz: not valid gzip data (incorrect data check)")
        }
        XCTAssertThrowsError(try inflate(Data())) { XCTAssertEqual("\($0)", "file.gz: empty file, expected gzip data") }
    }
}
