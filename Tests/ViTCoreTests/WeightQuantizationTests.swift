import XCTest
@testable import ViTCore

final class WeightQuantizationTests: XCTestCase {
    func testQuantizeDequantizeErrorIsAtMostHalfAStepPerChannel() {
        let weight = randomTensor([24, 40], seed: 1, scale: 0.1)
        let (values, scales) = WeightQuantization.quantize(weight)
        let restored = WeightQuantization.dequantize(values, scales: scales, shape: weight.shape)
        var worst: Float = 0
        for n in 0..<24 {
            for k in 0..<40 {
                // One rounding in w / scale: allow 2^-22 relative of the weight on top of half a step.
                let error = abs(restored.data[n * 40 + k] - weight.data[n * 40 + k]) - abs(weight.data[n * 40 + k]) * 2.4e-7
                worst = max(worst, error / scales[n])
            }
        }
        print("\(worst <= 0.5 ? "OK" : "NOT OK") per-channel int8 weights: largest error \(worst) steps")
        XCTAssertLessThanOrEqual(worst, 0.5)
        XCTAssertEqual(restored.shape, weight.shape)
    }

    func testEachChannelUsesTheFullSymmetricRange() {
        let weight = Tensor(shape: [2, 3], data: [0.5, -1, 0.25, 3, 1, -2])
        let (values, scales) = WeightQuantization.quantize(weight)
        XCTAssertEqual(scales, [1 / 127, 3 / 127])
        XCTAssertEqual(values, [64, -127, 32, 127, 42, -85])
    }

    func testZerosStayZeroAndAnAllZeroRowGetsScaleOne() {
        let weight = Tensor(shape: [3, 4], data: [0, 0.3, 0, -0.2, 0, 0, 0, 0, 1, 0, 0, 0])
        let (values, scales) = WeightQuantization.quantize(weight)
        for (w, q) in zip(weight.data, values) where w == 0 { XCTAssertEqual(q, 0) }
        XCTAssertEqual(scales[1], 1)
        // A conv weight [D, C, P, P] is quantized per D.
        let conv = randomTensor([4, 3, 2, 2], seed: 2)
        XCTAssertEqual(WeightQuantization.quantize(conv).scales.count, 4)
    }
}
