import Foundation
import XCTest
@testable import ViTCore

final class ClassificationLossTests: XCTestCase {
    private let logits = Tensor(shape: [2, 3], data: [1, 2, 3, 0, 0, 0])
    private let labels: [Int32] = [2, 0]

    func testCrossEntropyMatchesHandComputedValue() {
        let result = ClassificationLoss(kind: .ce).compute(logits: logits, labels: labels)
        // Row 0: -log(e^3 / (e + e^2 + e^3)) = 0.407606; row 1: log 3 = 1.098612.
        XCTAssertEqual(result.perSample[0], 0.407606, accuracy: 1e-5)
        XCTAssertEqual(result.perSample[1], 1.098612, accuracy: 1e-5)
        XCTAssertEqual(result.loss, (0.407606 + 1.098612) / 2, accuracy: 1e-5)
    }

    func testLabelSmoothingMatchesHandComputedValue() {
        let result = ClassificationLoss(kind: .ce, labelSmoothing: 0.3).compute(logits: logits, labels: labels)
        // Row 0 targets (0.1, 0.1, 0.8); log-probabilities (-2.407606, -1.407606, -0.407606).
        XCTAssertEqual(result.perSample[0], 0.1 * 2.407606 + 0.1 * 1.407606 + 0.8 * 0.407606, accuracy: 1e-5)
        XCTAssertEqual(result.perSample[1], 1.098612, accuracy: 1e-5)
    }

    func testWeightedCrossEntropyWeighsRareClassesUp() {
        // Counts 100, 10, 1 -> inverse (0.01, 0.1, 1), mean 0.37 -> weights (0.027027, 0.27027, 2.7027).
        let loss = ClassificationLoss(kind: .weightedCE, classCounts: [100, 10, 1])
        XCTAssertEqual(loss.classWeights[2], 2.702703, accuracy: 1e-5)
        let result = loss.compute(logits: logits, labels: labels)
        let expected = (2.702703 * 0.407606 + 0.027027 * 1.098612) / (2.702703 + 0.027027)
        XCTAssertEqual(result.loss, Float(expected), accuracy: 1e-5)
    }

    func testOHEMKeepsOnlyTheHardestSamples() {
        let result = ClassificationLoss(kind: .ohem, ohemRatio: 0.5).compute(logits: logits, labels: labels)
        XCTAssertEqual(result.loss, 1.098612, accuracy: 1e-5)
        XCTAssertEqual(Array(result.dLogits.data[0..<3]), [0, 0, 0])
    }

    func testBalancedSoftmaxAddsTheLogPriorToTheLogits() {
        let counts = [60, 30, 10]
        let result = ClassificationLoss(kind: .balancedSoftmax, classCounts: counts).compute(logits: logits, labels: labels)
        let adjusted = [1 + log(0.6), 2 + log(0.3), 3 + log(0.1)]
        let expected = -(adjusted[2] - log(adjusted.map(exp).reduce(0, +)))
        XCTAssertEqual(result.perSample[0], Float(expected), accuracy: 1e-5)
    }

    func testEveryLossGradientMatchesFiniteDifferences() {
        for kind in LossKind.allCases {
            let loss = ClassificationLoss(kind: kind, labelSmoothing: 0.1, ohemRatio: 0.5, classCounts: [50, 20, 5])
            var z = randomTensor([4, 3], seed: 21)
            let targets: [Int32] = [0, 1, 2, 1]
            let analytic = loss.compute(logits: z, labels: targets).dLogits
            assertGradient(kind.rawValue, analytic: analytic.data, perturb: { z.data[$0] += $1 },
                           loss: { Double(loss.compute(logits: z, labels: targets).loss) }, samples: 12, epsilon: 1e-3)
        }
    }
}
