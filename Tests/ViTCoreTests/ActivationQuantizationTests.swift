import XCTest
@testable import ViTCore

final class ActivationQuantizationTests: XCTestCase {
    func testQuantizeDequantizeErrorIsAtMostHalfAStepForEveryValueInRange() {
        for (low, high) in [(Float(-3), Float(5)), (-0.17, 12), (0.5, 2), (-4, -1), (-1e-3, 1e-3)] {
            let quantization = ActivationQuantization(minimum: low, maximum: high)
            var generator = SeededGenerator(seed: 3)
            let (from, to) = (min(low, 0), max(high, 0))
            let values = (0..<20_000).map { _ in from + (to - from) * generator.nextUniform() } + [from, to, 0]
            var worst: Float = 0
            for x in values {
                // The product x * (1 / scale) carries one rounding of its own: allow 2^-22 of x.
                let error = abs(quantization.dequantize(quantization.quantize(x)) - x) - abs(x) * 2.4e-7
                worst = max(worst, error / quantization.scale)
            }
            print("\(worst <= 0.5 ? "OK" : "NOT OK") activations in [\(low), \(high)]: largest error \(worst) steps")
            XCTAssertLessThanOrEqual(worst, 0.5)
        }
    }

    func testZeroIsExactAndTheRangeSpansAll256Levels() {
        let quantization = ActivationQuantization(minimum: -0.17, maximum: 12)
        XCTAssertEqual(quantization.dequantize(quantization.quantize(0)), 0)
        XCTAssertEqual(quantization.quantize(-0.17), 0)
        XCTAssertEqual(quantization.quantize(12), 255)
        XCTAssertEqual(quantization.scale, 12.17 / 255, accuracy: 1e-7)
    }

    func testAConstantInputGetsAUsableScale() {
        let quantization = ActivationQuantization(minimum: 0, maximum: 0)
        XCTAssertEqual(quantization.scale, 1)
        XCTAssertEqual(quantization.dequantize(quantization.quantize(0)), 0)
    }

    func testDynamicRangeComesFromTheValues() {
        let values: [Float] = [0.5, -2, 3, 1]
        XCTAssertEqual(ActivationQuantization(rangeOf: values, count: 4), ActivationQuantization(minimum: -2, maximum: 3))
    }
}
