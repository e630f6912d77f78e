import XCTest
@testable import ViTStore

final class CheckpointTests: XCTestCase {
    func testDottedNamesBecomeSlashedPathsAndBack() throws {
        let path = try Checkpoint.datasetPath(group: "weights", name: "blocks.10.attn.qkv.weight", file: "x.h5")
        XCTAssertEqual(path, "/weights/blocks/10/attn/qkv/weight")
        XCTAssertEqual(Checkpoint.dottedName(ofDatasetAt: path, group: "weights"), "blocks.10.attn.qkv.weight")
    }

    func testNamesWithEmptyPartsOrSlashesAreRejected() {
        for bad in ["", "blocks..0", ".a", "a.", "a/b"] {
            XCTAssertThrowsError(try Checkpoint.datasetPath(group: "weights", name: bad, file: "x.h5"), bad)
        }
    }

    func testSha256OfFileMatchesTheKnownDigest() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("abc.txt")
        try "abc".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Checkpoint.sha256(ofFile: path),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
