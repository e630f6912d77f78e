import XCTest
@testable import ViTCore

final class ActivationObserverTests: XCTestCase {
    func testRangeCoversEveryBatch() {
        let range = ActivationRange()
        range.record(Tensor(shape: [2, 2], data: [1, -2, 3, 0]))
        range.record(Tensor(shape: [1, 3], data: [5, -1, 2]))
        XCTAssertEqual(range.minimum, -2)
        XCTAssertEqual(range.maximum, 5)
    }

    func testPercentileClipsRareOutliersOnBothSides() {
        // 100,000 values evenly in [-1, 1] plus 5 outliers at each end: 99.99 keeps [-1, 1].
        var values = (0..<100_000).map { Float($0) / 49_999.5 - 1 }
        values += [Float](repeating: 40, count: 5) + [Float](repeating: -30, count: 5)
        let histogram = ActivationHistogram(minimum: -30, maximum: 40)
        histogram.record(Tensor(shape: [values.count], data: values))
        let (low, high) = histogram.clippedRange(percentile: 99.99)
        let bin: Float = 70 / Float(histogram.counts.count)
        print("clipped range [\(low), \(high)], bin \(bin)")
        XCTAssertEqual(low, -1, accuracy: 2 * bin)
        XCTAssertEqual(high, 1, accuracy: 2 * bin)
        XCTAssertLessThanOrEqual(low, -1)  // rounded outwards, never clipping more than asked
        XCTAssertGreaterThanOrEqual(high, 1)
        XCTAssertTrue(histogram.clippedRange(percentile: 100) == (-30, 40))
        // p = 60 clips 40% on each side, keeping the middle fifth of the bulk: [-0.2, 0.2].
        let (middleLow, middleHigh) = histogram.clippedRange(percentile: 60)
        XCTAssertEqual(middleLow, -0.2, accuracy: 2 * bin)
        XCTAssertEqual(middleHigh, 0.2, accuracy: 2 * bin)
    }
}
