import Foundation
import XCTest
@testable import ViTStore

final class FileDigestTests: XCTestCase {
    var directory: TemporaryDirectory!
    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    func testSavedCheckpointRecordsTheSHA256OfEverythingAfterItsUserBlock() throws {
        let path = directory.path("model.h5")
        try sampleCheckpoint().save(to: path)
        let head = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(FileDigest.userBlockSize))
        let line = String(decoding: head.prefix { $0 != 0 }, as: UTF8.self)
        let digest = try SHA256.hexDigest(ofFile: path, from: UInt64(FileDigest.userBlockSize))
        XCTAssertEqual(line, "vitc-sha256 \(digest)\n")
        XCTAssertNoThrow(try FileDigest.verify(path))
    }

    func testAChangedByteAnywhereAfterTheUserBlockIsRefused() throws {
        let path = directory.path("model.h5")
        try sampleCheckpoint().save(to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 1] ^= 0x80
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Checkpoint.load(from: path)) { error in
            XCTAssertEqual("\(error)", "\(path): damaged file, refused (its SHA-256 differs from the one recorded when it was written)")
        }
    }

    func testALostDigestLineIsRefusedRatherThanSkipped() throws {
        let path = directory.path("model.h5")
        try sampleCheckpoint().save(to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[0] = UInt8(ascii: "V")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Checkpoint.load(from: path)) { error in
            XCTAssertEqual(error as? StoreError, .damaged(file: path, detail: "its user block holds no vitc SHA-256"))
        }
    }

    func testFilesWithoutAUserBlockLoadUnverified() throws {
        // As vitc wrote them before it recorded digests: HDF5's signature at byte 0.
        let path = directory.path("old.h5")
        let file = try HDF5File.create(path)
        try file.setAttribute("format", .string("vitc"))
        try file.setAttribute("format_version", .int(1))
        try file.write([1, 2] as [Float], shape: [2], at: "/weights/head/bias")
        try file.close()
        XCTAssertNoThrow(try FileDigest.verify(path))
        XCTAssertEqual(try Checkpoint.load(from: path).weights["head.bias"]?.floats, [1, 2])
    }

    func testTheCommittedReferenceCheckpointStillLoads() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/studies/plain-vit-student-soft.h5").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("models/studies/plain-vit-student-soft.h5 is not checked out") }
        let checkpoint = try Checkpoint.load(from: path)
        let model = try checkpoint.makeModel(file: path)
        XCTAssertEqual(model.parameters.count, checkpoint.weights.count)
        XCTAssertFalse(try HDF5File.openReadOnly(path).isChecksummed("/weights/head/weight"),
                       "written before checksums: contiguous and unfiltered")
    }
}
