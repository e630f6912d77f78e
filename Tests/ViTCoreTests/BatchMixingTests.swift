import XCTest
@testable import ViTCore

final class BatchMixingTests: XCTestCase {
    /// Batch of `count` images [1, 4, 4], image b filled with the value b + 1.
    private func constantBatch(_ count: Int) -> Tensor {
        Tensor(shape: [count, 1, 4, 4], data: (0..<count * 16).map { Float($0 / 16 + 1) })
    }

    func testMixupBlendsEachImageWithItsMirrorInTheBatch() {
        var pixels = constantBatch(3)
        BatchMixing.apply(.mixup(lambda: 0.75), to: &pixels)
        XCTAssertEqual(Set(pixels.data[0..<16]), [0.75 * 1 + 0.25 * 3])
        XCTAssertEqual(Set(pixels.data[16..<32]), [2])
        XCTAssertEqual(Set(pixels.data[32..<48]), [0.75 * 3 + 0.25 * 1])
    }

    func testCutmixPastesTheMirrorsBoxOnly() {
        var pixels = constantBatch(4)
        BatchMixing.apply(.cutmix(top: 1, bottom: 3, left: 0, right: 2, lambda: 0.75), to: &pixels)
        for b in 0..<4 { for y in 0..<4 { for x in 0..<4 {
            let inBox = (1..<3).contains(y) && (0..<2).contains(x)
            XCTAssertEqual(pixels.data[b * 16 + y * 4 + x], Float(inBox ? 4 - b : b + 1), "(\(b), \(y), \(x))")
        } } }
    }

    func testDrawsPickMixupOrCutmixByAlphaAndSwitchProbability() {
        var generator = SeededGenerator(seed: 61)
        XCTAssertNil(BatchMixing(mixupAlpha: 0, cutmixAlpha: 0).draw(height: 32, width: 32, generator: &generator))
        let onlyMixup = BatchMixing(mixupAlpha: 0.8, cutmixAlpha: 0)
        let onlyCutmix = BatchMixing(mixupAlpha: 0, cutmixAlpha: 1)
        var cutmixes = 0
        for _ in 0..<1000 {
            guard case .mixup = onlyMixup.draw(height: 32, width: 32, generator: &generator) else { return XCTFail("not mixup") }
            guard case .cutmix = onlyCutmix.draw(height: 32, width: 32, generator: &generator) else { return XCTFail("not cutmix") }
            if case .cutmix = BatchMixing().draw(height: 32, width: 32, generator: &generator) { cutmixes += 1 }
        }
        XCTAssertEqual(Double(cutmixes) / 1000, 0.5, accuracy: 0.05)
    }

    func testCutmixLambdaIsTheAreaOutsideTheClippedBox() {
        var generator = SeededGenerator(seed: 62)
        let cutmix = BatchMixing(mixupAlpha: 0, cutmixAlpha: 1)
        var clipped = 0
        for _ in 0..<500 {
            guard case .cutmix(let top, let bottom, let left, let right, let lambda)? =
                cutmix.draw(height: 32, width: 32, generator: &generator) else { return XCTFail("not cutmix") }
            XCTAssert(0 <= top && top <= bottom && bottom <= 32 && 0 <= left && left <= right && right <= 32)
            XCTAssertEqual(lambda, 1 - Float((bottom - top) * (right - left)) / 1024)
            if top == 0 || left == 0 || bottom == 32 || right == 32 { clipped += 1 }
        }
        XCTAssertGreaterThan(clipped, 0, "boxes near the border are clipped, as timm's are")
    }
}
