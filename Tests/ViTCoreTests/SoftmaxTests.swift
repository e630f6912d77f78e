import Foundation
import XCTest
@testable import ViTCore

final class SoftmaxTests: XCTestCase {
    func testRowsMatchTheDefinitionAndSumToOne() {
        var values: [Float] = [1, 2, 3, 1000, 1000, 1000, -5, 0, 5]
        softmaxRows(&values, rows: 3, columns: 3)
        let first = [1.0, 2, 3].map { exp($0) / (exp(1.0) + exp(2.0) + exp(3.0)) }
        for c in 0..<3 { XCTAssertEqual(values[c], Float(first[c]), accuracy: 1e-6) }
        for c in 3..<6 { XCTAssertEqual(values[c], 1.0 / 3, accuracy: 1e-6) }  // large logits do not overflow
        for r in 0..<3 { XCTAssertEqual(values[(r * 3)..<(r * 3 + 3)].reduce(0, +), 1, accuracy: 1e-6) }
    }

    func testBackwardMatchesFiniteDifferences() {
        var x = randomTensor([4, 11], seed: 1)  // 11 columns: both the 8-lane and the tail path
        let probe = randomTensor([4, 11], seed: 2)
        func forward() -> Tensor {
            var y = x
            softmaxRows(&y.data, rows: 4, columns: 11)
            return y
        }
        let p = forward()
        var gradient = probe
        softmaxRowsBackward(probabilities: p.data, gradient: &gradient.data, rows: 4, columns: 11)
        assertGradient("softmax", analytic: gradient.data, perturb: { x.data[$0] += $1 },
                       loss: { probeLoss(forward(), probe) }, samples: 44, epsilon: 1e-3)
    }

    func testRoundedProbabilitiesHaveTheBitsOfRoundingAfterwards() {
        let x = randomTensor([600, 64], seed: 3, scale: 4)  // enough rows for both cores
        var expected = x.data, values = x.data
        softmaxRows(&expected, rows: 600, columns: 64, scale: 0.125)
        var rounded = [UInt16](repeating: 0, count: x.count)
        softmaxRowsRounded(&values, rounded: &rounded, rows: 600, columns: 64, scale: 0.125)
        XCTAssertEqual(values, expected)
        XCTAssertEqual(rounded, Tensor(shape: x.shape, data: expected).roundedToBFloat16())
    }

    func testRoundedBackwardHasTheBitsOfRoundingAfterwardsAndKeepsItsInput() {
        var p = randomTensor([600, 64], seed: 4, scale: 4)
        softmaxRows(&p.data, rows: 600, columns: 64)
        let dp = randomTensor([600, 64], seed: 5)
        var expected = dp.data
        softmaxRowsBackward(probabilities: p.data, gradient: &expected, rows: 600, columns: 64, scale: 0.125)
        var rounded = [UInt16](repeating: 0, count: dp.count)
        softmaxRowsBackwardRounded(probabilities: p.data, gradient: dp.data, rounded: &rounded, rows: 600, columns: 64,
                                   scale: 0.125)
        XCTAssertEqual(rounded, Tensor(shape: dp.shape, data: expected).roundedToBFloat16())
    }
}
