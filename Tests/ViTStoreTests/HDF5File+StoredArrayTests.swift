import XCTest
@testable import ViTStore

final class HDF5FileStoredArrayTests: XCTestCase {
    func testEachStoredArrayCaseComesBackAsTheSameCase() throws {
        let directory = try TemporaryDirectory()
        let arrays: [String: StoredArray] = [
            "/a": StoredArray(shape: [2, 2], values: .float32([1, -2, 3, -4])),
            "/b": StoredArray(doubles: [0.1, 0.2]),
            "/c": StoredArray(shape: [3], values: .int8([-1, 0, 1])),
            "/d": StoredArray(shape: [1, 1], values: .int32([-7])),
            "/e": StoredArray(scalar: 99),
        ]
        let path = directory.path("x.h5")
        let file = try HDF5File.create(path)
        for (key, array) in arrays { try file.write(array, at: key, compressed: true) }
        try file.close()
        let reopened = try HDF5File.openReadOnly(path)
        for (key, array) in arrays { XCTAssertEqual(try reopened.readArray(at: key), array, key) }
    }
}
