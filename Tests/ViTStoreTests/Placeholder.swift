import XCTest
final class ViTStorePlaceholderTests: XCTestCase { func testPlaceholder() {} }
