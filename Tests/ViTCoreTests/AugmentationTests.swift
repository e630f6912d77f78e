import XCTest
@testable import ViTCore

final class AugmentationTests: XCTestCase {
    func testCropFlipOffsetsCoverThePaddingAndFlipHalfTheTime() {
        var generator = SeededGenerator(seed: 1)
        var tops = Set<Int>(), lefts = Set<Int>(), flips = 0
        for _ in 0..<2000 {
            let window = Augmentation.cropFlip.window(generator: &generator)
            XCTAssertEqual([window.height, window.width], [32, 32])
            tops.insert(window.top); lefts.insert(window.left)
            if window.flip { flips += 1 }
        }
        XCTAssertEqual(tops, Set(-4...4))
        XCTAssertEqual(lefts, Set(-4...4))
        XCTAssertEqual(Double(flips) / 2000, 0.5, accuracy: 0.05)
    }

    func testResizedCropWindowsFitAndKeepAreaAndRatio() {
        var generator = SeededGenerator(seed: 2)
        for _ in 0..<2000 {
            let w = Augmentation.randomResizedCrop.window(generator: &generator)
            XCTAssert(w.top >= 0 && w.left >= 0 && w.top + w.height <= 32 && w.left + w.width <= 32, "\(w)")
            // Rounding each side to whole pixels widens the ranges a little.
            XCTAssert((0.75...1.0).contains(Double(w.width * w.height) / 1024), "\(w)")
            XCTAssert((0.85...1.16).contains(Double(w.width) / Double(w.height)), "\(w)")
        }
    }

    func testWholeImageScaleAndSquareRatioReturnTheImage() {
        var generator = SeededGenerator(seed: 3)
        let window = Augmentation.resizedCropWindow(scale: 1...1, ratio: 1...1, generator: &generator)
        XCTAssertEqual(window, .identity)
        let image = syntheticImages(labels: [0], seed: 4).pixels
        var output = [Float](repeating: 0, count: 3072)
        image.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                window.render(source.baseAddress!, into: out.baseAddress!, normalization: .cifar10)
            }
        }
        for i in 0..<3072 {
            XCTAssertEqual(output[i], ChannelNormalization.cifar10.normalize(image[i], channel: i / 1024), accuracy: 1e-5)
        }
    }

    func testImpossibleRatioFallsBackToCentreCrop() {
        // No square-ish draw can have a ratio of 2, so all ten tries fail.
        var generator = SeededGenerator(seed: 5)
        let window = Augmentation.resizedCropWindow(scale: 0.9...1, ratio: 2...2.5, generator: &generator)
        XCTAssertEqual(window, CropWindow(top: 8, left: 0, height: 16, width: 32, flip: false))
    }

    func testNoneIsIdentityAndNamesParse() {
        var generator = SeededGenerator(seed: 6)
        XCTAssertEqual(Augmentation.none.window(generator: &generator), .identity)
        XCTAssertEqual(Augmentation(rawValue: "crop-flip"), .cropFlip)
        XCTAssertEqual(Augmentation(rawValue: "random-resized-crop"), .randomResizedCrop)
    }
}
