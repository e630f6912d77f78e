import XCTest
import ViTCore
@testable import ViTStore

final class StoredArrayTests: XCTestCase {
    func testTensorRoundTripsThroughFloat32() {
        let tensor = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let array = StoredArray(tensor)
        XCTAssertEqual(array.elementType, .float32)
        XCTAssertEqual(array.tensor, tensor)
    }

    func testTensorIsNilForOtherTypesAndForInconsistentShapes() {
        XCTAssertNil(StoredArray(doubles: [1, 2]).tensor)
        XCTAssertNil(StoredArray(shape: [3], values: .float32([1, 2])).tensor)
    }

    func testConvenienceInitialisersPickShapeAndType() {
        XCTAssertEqual(StoredArray(doubles: [1, 2, 3]), StoredArray(shape: [3], values: .float64([1, 2, 3])))
        XCTAssertEqual(StoredArray(ints: [4, -5]), StoredArray(shape: [2], values: .int64([4, -5])))
        XCTAssertEqual(StoredArray(floats: [0.5]), StoredArray(shape: [1], values: .float32([0.5])))
        XCTAssertEqual(StoredArray(scalar: 7), StoredArray(shape: [], values: .int64([7])))
        XCTAssertEqual(StoredArray(scalar: 7).count, 1)
    }

    func testTypedViewsAnswerOnlyForTheStoredType() {
        let array = StoredArray(shape: [2], values: .int32([1, 2]))
        XCTAssertEqual(array.int32s, [1, 2])
        XCTAssertNil(array.int64s)
        XCTAssertNil(array.floats)
    }
}
