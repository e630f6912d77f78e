import XCTest
@testable import ViTCore

final class ByteImageToneTests: XCTestCase {
    func testPosterizeKeepsTopBits() {
        let pixel: [UInt8] = [0xAB, 200, 100]
        XCTAssertEqual(withByteImage(pixel, height: 1, width: 1) { $0.posterize(bits: 4) }, [0xA0, 0xC0, 0x60])
        XCTAssertEqual(withByteImage(pixel, height: 1, width: 1) { $0.posterize(bits: 1) }, [0x80, 0x80, 0])
        XCTAssertEqual(withByteImage(pixel, height: 1, width: 1) { $0.posterize(bits: 8) }, pixel)
    }

    func testSolarizeInvertsAtOrAboveThreshold() {
        XCTAssertEqual(withByteImage([127, 128, 200], height: 1, width: 1) { $0.solarize(threshold: 128) }, [127, 127, 55])
        XCTAssertEqual(withByteImage([254, 255, 0], height: 1, width: 1) { $0.solarize(threshold: 255) }, [254, 0, 0])
        XCTAssertEqual(withByteImage([10, 20, 198], height: 1, width: 1) { $0.solarize(threshold: 198.33) }, [10, 20, 198])
    }

    func testInvert() {
        XCTAssertEqual(withByteImage([0, 55, 255], height: 1, width: 1) { $0.invert() }, [255, 200, 0])
    }

    func testAutoContrastStretchesEachChannelAndKeepsConstantOnes() {
        // Red spans 10...61 (scale 5), green 0...2 (127.5, truncated), blue is constant.
        let image: [UInt8] = [10, 20, 30, 61] + [0, 1, 2, 2] + [7, 7, 7, 7]
        let output = withByteImage(image, height: 2, width: 2) { $0.autoContrast() }
        XCTAssertEqual(output, [0, 50, 100, 255] + [0, 127, 255, 255] + [7, 7, 7, 7])
    }

    func testEqualizeMapsLevelsByCumulativeCountOverStep() {
        // 1024 pixels: 256 at 0, 256 at 100, 512 at 200. step = (1024 - 512) / 255 = 2;
        // level v -> (pixels below v + 1) / 2: 0 -> 0, 100 -> 128, 200 -> 256, clamped to 255.
        let plane = [UInt8](repeating: 0, count: 256) + [UInt8](repeating: 100, count: 256)
            + [UInt8](repeating: 200, count: 512)
        let expected = [UInt8](repeating: 0, count: 256) + [UInt8](repeating: 128, count: 256)
            + [UInt8](repeating: 255, count: 512)
        let output = withByteImage(plane + plane + plane, height: 32, width: 32) { $0.equalize() }
        XCTAssertEqual(output, expected + expected + expected)
    }

    func testEqualizeKeepsChannelsWithTooFewPixelsForAStep() {
        // 16 pixels give step 0, as in PIL and torchvision.
        let image = (0..<48).map { UInt8($0 * 5) }
        XCTAssertEqual(withByteImage(image, height: 4, width: 4) { $0.equalize() }, image)
    }
}
