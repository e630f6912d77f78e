import XCTest
@testable import ViTCore

final class BFloat16Tests: XCTestCase {
    func testRoundsToTheNearestBFloat16AndTiesToEven() {
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: the tie goes to the even mantissa (1).
        // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: the even one is 1 + 2^-6.
        let values: [Float] = [1, 1 + 0x1p-8, 1 + 3 * 0x1p-8, -2.5, 3.0e38, 0x1.02p0]
        var bits = [UInt16](repeating: 0, count: values.count)
        convertToBFloat16(values, &bits, count: values.count)
        var back = [Float](repeating: 0, count: values.count)
        convertFromBFloat16(bits, &back, count: values.count)
        XCTAssertEqual(back[0], 1)
        XCTAssertEqual(back[1], 1)
        XCTAssertEqual(back[2], 1 + 0x1p-6)
        XCTAssertEqual(back[3], -2.5)
        XCTAssertEqual(back[4] / 3.0e38, 1, accuracy: 0.004)
        XCTAssertEqual(back[5], 0x1.02p0)  // exactly representable: unchanged
    }

    func testRelativeErrorStaysWithinHalfAUnitInTheLastPlace() {
        let values = randomTensor([10_000], seed: 3, scale: 100).data
        var bits = [UInt16](repeating: 0, count: values.count)
        convertToBFloat16(values, &bits, count: values.count)
        var back = [Float](repeating: 0, count: values.count)
        convertFromBFloat16(bits, &back, count: values.count)
        for (a, b) in zip(values, back) where a != 0 { XCTAssertLessThanOrEqual(abs(a - b) / abs(a), 0x1p-8) }
    }
}
