import XCTest
@testable import ViTCore

final class ByteImageEnhanceTests: XCTestCase {
    /// A one-pixel-per-entry image whose channels all hold `values` (so its grey levels are known).
    private func grey(_ values: [UInt8]) -> [UInt8] { values + values + values }

    func testBrightnessScalesClampsAndTruncates() {
        let output = withByteImage([100, 200, 101, 0, 255, 1], height: 1, width: 2) { $0.brightness(1.5) }
        XCTAssertEqual(output, [150, 255, 151, 0, 255, 1])
        // 0.5 * 101 = 50.5 truncates to 50, as torchvision's cast does.
        XCTAssertEqual(withByteImage([101, 3, 255], height: 1, width: 1) { $0.brightness(0.5) }, [50, 1, 127])
    }

    func testColorBlendsEachPixelWithItsTruncatedGrey() {
        // grey(200, 100, 50) = 59.78 + 58.7 + 5.7 = 124.18 -> 124.
        let pixel: [UInt8] = [200, 100, 50]
        XCTAssertEqual(withByteImage(pixel, height: 1, width: 1) { $0.color(0) }, [124, 124, 124])
        XCTAssertEqual(withByteImage(pixel, height: 1, width: 1) { $0.color(2) }, [255, 76, 0])
        XCTAssertEqual(withByteImage(pixel, height: 1, width: 1) { $0.color(1) }, pixel)
    }

    func testGreyUsesTorchvisionWeightsWhichTruncateEqualChannelsDown() {
        // The weights sum to 0.9999, so an even grey of 100 reads as 99.99 -> 99.
        XCTAssertEqual(ByteImage.grey(100, 100, 100), 99)
        XCTAssertEqual(ByteImage.grey(255, 255, 255), 254)
        XCTAssertEqual(ByteImage.grey(0, 0, 0), 0)
    }

    func testContrastBlendsWithTheMeanGrey() {
        // Greys 99 and 199 (see above), mean 149.
        let image = grey([100, 200])
        XCTAssertEqual(withByteImage(image, height: 1, width: 2) { $0.contrast(2) }, grey([51, 251]))
        XCTAssertEqual(withByteImage(image, height: 1, width: 2) { $0.contrast(0) }, grey([149, 149]))
    }

    func testSharpnessBlendsInteriorWithSmoothedOriginalAndKeepsBorder() {
        // 3x4, all 13 except (1, 1) = 26. Smoothed: (1, 1) = (8 * 13 + 5 * 26) / 13 = 18 and
        // (1, 2) = (7 * 13 + 26 + 5 * 13) / 13 = 14, both from the original neighbours.
        var plane = [UInt8](repeating: 13, count: 12)
        plane[5] = 26
        var expected = plane
        expected[5] = 2 * 26 - 18
        expected[6] = 2 * 13 - 14
        XCTAssertEqual(withByteImage(grey(plane), height: 3, width: 4) { $0.sharpness(2) }, grey(expected))
        expected[5] = 18
        expected[6] = 14
        XCTAssertEqual(withByteImage(grey(plane), height: 3, width: 4) { $0.sharpness(0) }, grey(expected))
    }

    func testSharpnessLeavesImagesTooSmallForTheKernel() {
        let image: [UInt8] = grey([1, 200, 3, 90])
        XCTAssertEqual(withByteImage(image, height: 2, width: 2) { $0.sharpness(0) }, image)
    }
}
