import XCTest
@testable import ViTStore

final class MD5Tests: XCTestCase {
    func testMatchesTheRFC1321TestSuite() {
        let vectors = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (message, digest) in vectors {
            XCTAssertEqual(MD5.hexDigest(of: Array(message.utf8)), digest, "MD5(\"\(message)\")")
        }
    }

    func testAMillionAsFedInUnevenPiecesMatchesTheKnownDigest() {
        // Pieces of 1..200 bytes cross block boundaries at every offset.
        var hash = MD5()
        var fed = 0, piece = 1
        while fed < 1_000_000 {
            let count = min(piece, 1_000_000 - fed)
            hash.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            fed += count
            piece = piece % 200 + 1
        }
        XCTAssertEqual(MD5.hex(hash.finalize()), "7707d6ae4e027c70eea2a935c2296f21")
    }

    func testAgreesWithTheSystemMd5sumOnAMultiBlockFile() throws {
        let md5sum = "/usr/bin/md5sum"
        guard FileManager.default.isExecutableFile(atPath: md5sum) else { throw XCTSkip("no \(md5sum) to compare with") }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<10_007).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-\(UUID().uuidString)-random.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: md5sum)
        process.arguments = [path]
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(MD5.hexDigest(of: bytes), String(output.prefix(32)))
    }
}
