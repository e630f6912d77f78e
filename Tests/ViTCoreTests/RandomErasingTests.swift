import XCTest
@testable import ViTCore

final class RandomErasingTests: XCTestCase {
    func testBoxesFitAndKeepAreaAndRatioRanges() {
        var generator = SeededGenerator(seed: 41)
        let erasing = RandomErasing(probability: 1)
        var found = 0
        for _ in 0..<2000 {
            guard let box = erasing.box(height: 32, width: 32, generator: &generator) else { continue }
            found += 1
            XCTAssert(box.top >= 0 && box.left >= 0 && box.top + box.height <= 32 && box.left + box.width <= 32, "\(box)")
            XCTAssert(box.height < 32 && box.width < 32, "\(box)")
            // Rounding each side to whole pixels widens the ranges a little.
            XCTAssert((0.01...0.36).contains(Double(box.height * box.width) / 1024), "\(box)")
            XCTAssert((0.2...4.5).contains(Double(box.height) / Double(box.width)), "\(box)")
        }
        // A try fails only when a side reaches 32, which the area range makes rare.
        XCTAssertGreaterThan(found, 1900)
    }

    func testErasesWithTheGivenProbability() {
        var generator = SeededGenerator(seed: 42)
        let erasing = RandomErasing()
        let erased = (0..<4000).filter { _ in erasing.box(height: 32, width: 32, generator: &generator) != nil }.count
        XCTAssertEqual(Double(erased) / 4000, 0.25, accuracy: 0.03)
        var never = SeededGenerator(seed: 43)
        XCTAssert((0..<100).allSatisfy { _ in RandomErasing(probability: 0).box(height: 32, width: 32, generator: &never) == nil })
    }

    func testEraseSetsTheBoxToValueInEveryChannelAndNothingElse() {
        let erasing = RandomErasing(probability: 1)
        var image = [Float](repeating: 0.5, count: 3 * 8 * 8)
        var boxGenerator = SeededGenerator(seed: 44), eraseGenerator = boxGenerator
        let box = erasing.box(height: 8, width: 8, generator: &boxGenerator)!
        image.withUnsafeMutableBufferPointer {
            erasing.erase($0.baseAddress!, channels: 3, height: 8, width: 8, generator: &eraseGenerator)
        }
        for c in 0..<3 { for y in 0..<8 { for x in 0..<8 {
            let inside = (box.top ..< box.top + box.height).contains(y) && (box.left ..< box.left + box.width).contains(x)
            XCTAssertEqual(image[c * 64 + y * 8 + x], inside ? 0 : 0.5)
        } } }
    }
}
