import XCTest
@testable import ViTCore

final class Int8ConversionTests: XCTestCase {
    func testVectorisedQuantizerEqualsItsScalarTwinEverywhere() {
        // Ties (k + 0.5 steps), values beyond both ends, zero, and enough elements to split across cores.
        let quantization = ActivationQuantization(minimum: -1.5, maximum: 3)
        var values = randomTensor([100_003], seed: 1, scale: 4).data
        values += (-20...20).map { (Float($0) + 0.5) * quantization.scale } + [0, -100, 100, .infinity, -.infinity]
        var fast = [UInt8](repeating: 0, count: values.count)
        quantizeToUInt8(values, &fast, count: values.count, scale: quantization.scale, zeroPoint: quantization.zeroPoint)
        let slow = values.map { quantization.quantize($0) }
        let mismatches = zip(fast, slow).filter { $0 != $1 }.count
        print("\(mismatches == 0 ? "OK" : "NOT OK") u8 quantizer vs scalar twin: \(mismatches) of \(values.count) differ")
        XCTAssertEqual(fast, slow)
        XCTAssertEqual(fast[values.count - 2], 255)  // +inf clamps high
        XCTAssertEqual(fast[values.count - 1], 0)    // -inf clamps low
    }

    func testRangeIsTheSmallestAndLargestValue() {
        for count in [1, 7, 8, 65_537, 200_001] {
            let values = randomTensor([count], seed: UInt64(count)).data
            let (low, high) = rangeOf(values, count: count)
            XCTAssertEqual(low, values.min()!, "count \(count)")
            XCTAssertEqual(high, values.max()!, "count \(count)")
        }
    }
}
