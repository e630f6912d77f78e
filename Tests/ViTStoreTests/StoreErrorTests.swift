import XCTest
@testable import ViTStore

final class StoreErrorTests: XCTestCase {
    func testMessagesNameTheFileAndTheKey() {
        let file = "models/x.h5"
        XCTAssertEqual(StoreError.notHDF5(file: file).description, "models/x.h5: not an HDF5 file")
        XCTAssertEqual(StoreError.missingDataset(file: file, path: "/weights/head/weight").description,
                       "models/x.h5: missing dataset /weights/head/weight")
        XCTAssertEqual(StoreError.shapeMismatch(file: file, path: "/weights/head/weight",
                                                found: [10, 128], expected: [10, 256]).description,
                       "models/x.h5: /weights/head/weight has shape [10, 128], expected [10, 256]")
        XCTAssertEqual(StoreError.unsupportedFormatVersion(file: file, found: .int(2), supported: 1).description,
                       "models/x.h5: format_version 2, this vitc reads 1")
        XCTAssertEqual(StoreError.wrongElementType(file: file, path: "/logs/epoch", stored: .int64,
                                                   requested: .float32).description,
                       "models/x.h5: /logs/epoch holds int64, read as float32")
    }

    func testDamagedFileSaysItWasRefused() {
        XCTAssertEqual(StoreError.damaged(file: "a.h5", detail: "its SHA-256 differs").description,
                       "a.h5: damaged file, refused (its SHA-256 differs)")
        XCTAssertEqual(StoreError.damaged(file: "a.h5", detail: "x").file, "a.h5")
    }

    func testDescriptionIsOneLineEvenWhenTheDetailIsNot() {
        let error = StoreError.operationFailed(file: "a.h5", action: "cannot open", detail: "first\nsecond")
        XCTAssertEqual(error.description, "a.h5: cannot open (first second)")
    }

    func testFileIsAvailableForEveryCase() {
        XCTAssertEqual(StoreError.missingAttribute(file: "f.h5", object: "/", name: "seed").file, "f.h5")
        XCTAssertEqual(StoreError.invalidName(file: "g.h5", name: "a..b", reason: "empty part").file, "g.h5")
    }
}
