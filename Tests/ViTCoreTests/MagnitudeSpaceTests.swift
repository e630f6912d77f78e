import XCTest
@testable import ViTCore

final class MagnitudeSpaceTests: XCTestCase {
    func testAutoAugmentBinsOfTenMatchTorchvision() {
        let space = MagnitudeSpace.standard(side: 32)
        XCTAssertEqual((0..<10).map { space.magnitude(.posterize, bin: $0, bins: 10) }, [8, 8, 7, 7, 6, 6, 5, 5, 4, 4])
        XCTAssertEqual(space.magnitude(.solarize, bin: 2, bins: 10), 198.333, accuracy: 1e-3)
        XCTAssertEqual(space.magnitude(.solarize, bin: 9, bins: 10), 0)
        XCTAssertEqual(space.magnitude(.translateX, bin: 9, bins: 10), 14.5015, accuracy: 1e-3)
        XCTAssertEqual(space.magnitude(.rotate, bin: 2, bins: 10), 6.6667, accuracy: 1e-4)
        XCTAssertEqual(space.magnitude(.sharpness, bin: 1, bins: 10), 0.1, accuracy: 1e-6)
        XCTAssertEqual(space.magnitude(.autoContrast, bin: 5, bins: 10), 0)
    }

    func testRandAugmentDefaultBinNineOfThirtyOne() {
        let space = MagnitudeSpace.standard(side: 32)
        XCTAssertEqual(space.magnitude(.shearX, bin: 9, bins: 31), 0.09, accuracy: 1e-6)
        XCTAssertEqual(space.magnitude(.rotate, bin: 9, bins: 31), 9, accuracy: 1e-5)
        XCTAssertEqual(space.magnitude(.brightness, bin: 9, bins: 31), 0.27, accuracy: 1e-6)
        XCTAssertEqual(space.magnitude(.translateY, bin: 9, bins: 31), 4.350, accuracy: 1e-3)
        XCTAssertEqual(space.magnitude(.posterize, bin: 9, bins: 31), 7)
        XCTAssertEqual(space.magnitude(.solarize, bin: 9, bins: 31), 178.5, accuracy: 1e-3)
    }

    func testWideSpaceReachesTwoBitsAndFullRanges() {
        let wide = MagnitudeSpace.wide
        XCTAssertEqual(wide.magnitude(.posterize, bin: 30, bins: 31), 2)
        XCTAssertEqual(wide.magnitude(.posterize, bin: 2, bins: 31), 8)
        XCTAssertEqual(wide.magnitude(.posterize, bin: 3, bins: 31), 7)
        XCTAssertEqual(wide.magnitude(.translateX, bin: 30, bins: 31), 32)
        XCTAssertEqual(wide.magnitude(.rotate, bin: 30, bins: 31), 135)
        XCTAssertEqual(wide.magnitude(.shearY, bin: 30, bins: 31), 0.99)
    }
}
