import XCTest
@testable import ViTStore

final class AttributeValueTests: XCTestCase {
    func testDescriptionQuotesStringsSoTheTypeIsVisibleInErrors() {
        XCTAssertEqual(AttributeValue.string("1").description, "\"1\"")
        XCTAssertEqual(AttributeValue.int(1).description, "1")
        XCTAssertEqual(AttributeValue.double(1.5).description, "1.5")
    }
}
