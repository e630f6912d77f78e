import XCTest
@testable import ViTStore

final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hexDigest(of: [UInt8]()),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hexDigest(of: Array("abc".utf8)),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // 56 bytes: the length no longer fits in the first block, so padding spills into a second.
        XCTAssertEqual(SHA256.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testFeedingInPiecesEqualsFeedingAtOnce() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var pieces = SHA256()
        for start in stride(from: 0, to: bytes.count, by: 37) { pieces.update(bytes[start..<min(start + 37, bytes.count)]) }
        var whole = SHA256()
        whole.update(bytes)
        XCTAssertEqual(pieces.finalize(), whole.finalize())
    }

    func testFileDigestMatchesSha256sum() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("data.bin")
        let bytes = (0..<300_001).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // A chunk size that is not a multiple of 64 exercises blocks split across reads.
        let ours = try SHA256.hexDigest(ofFile: path, chunkSize: 10_000 + 3)
        guard let result = try runProgram("/usr/bin/sha256sum", [path]) else { throw XCTSkip("sha256sum is not installed") }
        XCTAssertEqual(ours, String(result.output.prefix(64)))
    }

    func testMissingFileThrows() {
        XCTAssertThrowsError(try SHA256.hexDigest(ofFile: "/nonexistent/vitc.h5")) { error in
            XCTAssertEqual(error as? StoreError, .missingFile(file: "/nonexistent/vitc.h5"))
        }
    }
}
