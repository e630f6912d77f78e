import XCTest
@testable import ViTStore

final class CheckpointSaveTests: XCTestCase {
    var directory: TemporaryDirectory!
    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    func testSaveLeavesOnlyTheFinalFile() throws {
        try sampleCheckpoint().save(to: directory.path("model.h5"))
        XCTAssertEqual(try directory.contents(), ["model.h5"])
    }

    func testSaveReplacesAnExistingFile() throws {
        let path = directory.path("model.h5")
        try Checkpoint(attributes: ["stage": .string("old")]).save(to: path)
        try sampleCheckpoint().save(to: path)
        XCTAssertEqual(try Checkpoint.load(from: path), sampleCheckpoint())
    }

    func testFailedValidationLeavesTheExistingFileUntouched() throws {
        let path = directory.path("model.h5")
        try sampleCheckpoint().save(to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var broken = sampleCheckpoint()
        broken.weights["head.weight"] = StoredArray(shape: [10, 256], values: .float32([1, 2, 3]))
        XCTAssertThrowsError(try broken.save(to: path)) { error in
            XCTAssertEqual(error as? StoreError, .valueCountMismatch(file: path, path: "/weights/head/weight",
                                                                     shape: [10, 256], count: 3))
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertEqual(try directory.contents(), ["model.h5"])
    }

    func testFailureAfterWritingRemovesTheTemporaryFile() throws {
        // A directory where the file should go: everything is written, then the rename fails.
        let path = directory.path("model.h5")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        XCTAssertThrowsError(try sampleCheckpoint().save(to: path)) { error in
            _ = assertOneLineNaming(path, error)
        }
        XCTAssertEqual(try directory.contents(), ["model.h5"])
    }

    func testNameThatIsBothArrayAndGroupIsRejectedBeforeWriting() throws {
        let path = directory.path("model.h5")
        var checkpoint = Checkpoint()
        checkpoint.weights = ["head": StoredArray(floats: [1]), "head.bias": StoredArray(floats: [2])]
        XCTAssertThrowsError(try checkpoint.save(to: path)) { error in
            guard case .invalidName(_, "head.bias", _)? = error as? StoreError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try directory.contents(), [])
    }

    func testReservedAttributeNamesAreRefused() throws {
        let checkpoint = Checkpoint(attributes: ["format_version": .int(2)])
        XCTAssertThrowsError(try checkpoint.save(to: directory.path("model.h5")))
    }

    func testRootAttributesIncludeFormatAndVersion() throws {
        let path = directory.path("model.h5")
        try sampleCheckpoint().save(to: path)
        let file = try HDF5File.openReadOnly(path)
        XCTAssertEqual(try file.attribute("format"), .string("vitc"))
        XCTAssertEqual(try file.attribute("format_version"), .int(1))
        XCTAssertTrue(try file.exists("/weights/blocks/10/norm1/bias"))
        XCTAssertTrue(try file.exists("/optimizer/m/blocks/0/attn/qkv/weight"))
    }
}
