import XCTest
@testable import ViTStore

final class ElementTypeTests: XCTestCase {
    func testEachSwiftScalarMapsToItsOwnElementType() {
        XCTAssertEqual(Float.elementType, .float32)
        XCTAssertEqual(Double.elementType, .float64)
        XCTAssertEqual(Int8.elementType, .int8)
        XCTAssertEqual(Int32.elementType, .int32)
        XCTAssertEqual(Int64.elementType, .int64)
    }

    func testDescriptionIsTheNumpyStyleName() {
        XCTAssertEqual("\(ElementType.float32)", "float32")
    }
}
