import XCTest
@testable import ViTCore

final class ImageOperationTests: XCTestCase {
    private let image = (0..<48).map { UInt8($0 * 5 + 3) }

    private func apply(_ operation: ImageOperation, _ magnitude: Float) -> [UInt8] {
        withByteImage(image, height: 4, width: 4) { operation.apply(to: $0, magnitude: magnitude) }
    }

    private func direct(_ body: (ByteImage) -> Void) -> [UInt8] { withByteImage(image, height: 4, width: 4, body) }

    func testEnhanceMagnitudesAreFactorsMinusOne() {
        XCTAssertEqual(apply(.brightness, 0.5), direct { $0.brightness(1.5) })
        XCTAssertEqual(apply(.color, -0.9), direct { $0.color(0.1) })
        XCTAssertEqual(apply(.contrast, 0.3), direct { $0.contrast(1.3) })
        XCTAssertEqual(apply(.sharpness, 0.9), direct { $0.sharpness(1.9) })
    }

    func testShiftsAndBitsTruncateTowardZeroLikePythonInt() {
        XCTAssertEqual(apply(.translateX, 1.9), direct { $0.translateX(1) })
        XCTAssertEqual(apply(.translateY, -1.9), direct { $0.translateY(-1) })
        XCTAssertEqual(apply(.posterize, 4), direct { $0.posterize(bits: 4) })
    }

    func testIdentityAndZeroMagnitudeGeometryKeepTheImage() {
        XCTAssertEqual(apply(.identity, 7), image)
        for operation in [ImageOperation.shearX, .shearY, .translateX, .translateY, .rotate] {
            XCTAssertEqual(apply(operation, 0), image, "\(operation)")
        }
    }

    func testOnlyGeometryAndEnhanceAreSigned() {
        let signed = Set(ImageOperation.allCases.filter(\.isSigned))
        XCTAssertEqual(signed, [.shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color, .contrast, .sharpness])
        XCTAssertEqual(Set(ImageOperation.allCases.filter { !$0.hasMagnitude }), [.identity, .autoContrast, .equalize, .invert])
    }
}
