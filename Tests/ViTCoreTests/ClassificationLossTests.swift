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

    // The 2x3 mixed example: image 0 is 0.7 class 2 + 0.3 class 1, image 1 is 0.7 class 0 + 0.3 class 2;
    // training counts 100, 10, 1 (log prior -0.104360, -2.406945, -4.709530).
    private let mixed = MixedTargets(labels: [2, 0], partners: [1, 2], lambda: 0.7)
    private let counts = [100, 10, 1]

    func testLogitAdjustedLossWithMixingMatchesHandComputedValue() {
        // tau 0.5: adjusted rows (0.947820, 0.796527, 0.645235) and (-0.052180, -1.203473, -2.354765),
        // log-softmax (-0.954935, -1.106228, -1.257520) and (-0.347997, -1.499289, -2.650582);
        // row 0: 0.7 * 1.257520 + 0.3 * 1.106228 = 1.212132, row 1: 0.7 * 0.347997 + 0.3 * 2.650582 = 1.038772.
        let loss = ClassificationLoss(kind: .logitAdjusted, classCounts: counts, logitAdjustmentTau: 0.5)
        let result = loss.compute(logits: logits, targets: mixed, epoch: 0)
        XCTAssertEqual(result.perSample[0], 1.212132, accuracy: 1e-5)
        XCTAssertEqual(result.perSample[1], 1.038772, accuracy: 1e-5)
        XCTAssertEqual(result.loss, 1.125452, accuracy: 1e-5)
        // With smoothing 0.1 the targets become 0.9 q + 1/30: 1.201542 and 1.084824.
        let smoothed = ClassificationLoss(kind: .logitAdjusted, labelSmoothing: 0.1, classCounts: counts,
                                          logitAdjustmentTau: 0.5).compute(logits: logits, targets: mixed, epoch: 0)
        XCTAssertEqual(smoothed.loss, 1.143183, accuracy: 1e-5)
    }

    func testBalancedSoftmaxIsLogitAdjustedWithTauOne() {
        let z = randomTensor([4, 3], seed: 22)
        let targets = MixedTargets(labels: [0, 1, 2, 1], partners: [2, 2, 0, 1], lambda: 0.6)
        let balanced = ClassificationLoss(kind: .balancedSoftmax, labelSmoothing: 0.1, classCounts: [50, 20, 5])
        var adjusted = balanced
        adjusted.kind = .logitAdjusted
        for epoch in [0, 3] {
            let a = balanced.compute(logits: z, targets: targets, epoch: epoch)
            let b = adjusted.compute(logits: z, targets: targets, epoch: epoch)
            XCTAssertEqual(a.perSample, b.perSample)
            XCTAssertEqual(a.dLogits, b.dLogits)
        }
    }

    func testAMixOfALabelWithItselfIsTheUnmixedLoss() {
        let loss = ClassificationLoss(kind: .weightedCE, labelSmoothing: 0.1, classCounts: counts)
        let plain = loss.compute(logits: logits, labels: labels)
        let selfMixed = loss.compute(logits: logits, targets: MixedTargets(labels: labels, partners: labels, lambda: 0.3),
                                     epoch: 0)
        XCTAssertEqual(plain.loss, selfMixed.loss, accuracy: 1e-6)
    }

    func testDeferredAdjustmentIsPlainCrossEntropyBeforeItsEpoch() {
        let deferred = ClassificationLoss(kind: .logitAdjusted, classCounts: counts, logitAdjustmentTau: 0.5,
                                          adjustFromEpoch: 2)
        let ce = ClassificationLoss(kind: .ce).compute(logits: logits, targets: mixed, epoch: 0)
        XCTAssertEqual(deferred.compute(logits: logits, targets: mixed, epoch: 1).loss, ce.loss)
        XCTAssertEqual(deferred.compute(logits: logits, targets: mixed, epoch: 2).loss, 1.125452, accuracy: 1e-5)
        XCTAssertEqual(deferred.trainingLogits(logits, epoch: 1), logits)
    }

    func testDeferredReweightingWithMixingMatchesHandComputedValue() {
        // Effective-number weights (beta 0.9) 0.239329, 0.367442, 2.393229; mixed sample weights
        // 0.7 * 2.393229 + 0.3 * 0.367442 = 1.785493 and 0.7 * 0.239329 + 0.3 * 2.393229 = 0.885499.
        // Mixed CE per sample 0.707606 and 1.098612 -> (1.785493 * 0.707606 + 0.885499 * 1.098612) / 2.670992.
        let loss = ClassificationLoss(kind: .ce, classCounts: counts, drwEpoch: 3, drwBeta: 0.9)
        XCTAssertNil(loss.deferredWeights(epoch: 2))
        XCTAssertEqual(loss.compute(logits: logits, targets: mixed, epoch: 2).loss, (0.707606 + 1.098612) / 2,
                       accuracy: 1e-5)
        XCTAssertEqual(loss.compute(logits: logits, targets: mixed, epoch: 3).loss, 0.837234, accuracy: 1e-5)
    }

    func testDeferredReweightingComposesWithTheLogitAdjustedLoss() {
        // The logit-adjusted per-sample losses 1.212132 and 1.038772 under the DRW sample weights.
        let loss = ClassificationLoss(kind: .logitAdjusted, classCounts: counts, logitAdjustmentTau: 0.5,
                                      drwEpoch: 0, drwBeta: 0.9)
        XCTAssertEqual(loss.compute(logits: logits, targets: mixed, epoch: 0).loss, 1.154659, accuracy: 1e-5)
    }

    func testWeightedCrossEntropyInTheReweightingPhaseMultipliesBothWeights() {
        let loss = ClassificationLoss(kind: .weightedCE, classCounts: counts, drwEpoch: 1, drwBeta: 0.9)
        XCTAssertEqual(loss.lossClassWeights(epoch: 0)!, loss.classWeights)
        let both = loss.lossClassWeights(epoch: 1)!
        let drw = effectiveNumberWeights(classCounts: counts, beta: 0.9)
        for c in 0..<3 { XCTAssertEqual(both[c], loss.classWeights[c] * drw[c], accuracy: 1e-12) }
        XCTAssertNil(ClassificationLoss(kind: .ce).lossClassWeights(epoch: 5))
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

    func testEveryLossGradientWithMixedTargetsAndReweightingMatchesFiniteDifferences() {
        let targets = MixedTargets(labels: [0, 1, 2, 1], partners: [2, 0, 0, 1], lambda: 0.65)
        for kind in LossKind.allCases {
            let loss = ClassificationLoss(kind: kind, labelSmoothing: 0.1, ohemRatio: 0.5, classCounts: [50, 20, 5],
                                          logitAdjustmentTau: 0.7, drwEpoch: 1, drwBeta: 0.99)
            for epoch in [0, 1] {
                var z = randomTensor([4, 3], seed: 23)
                let analytic = loss.compute(logits: z, targets: targets, epoch: epoch).dLogits
                assertGradient("\(kind.rawValue) epoch \(epoch)", analytic: analytic.data,
                               perturb: { z.data[$0] += $1 },
                               loss: { Double(loss.compute(logits: z, targets: targets, epoch: epoch).loss) },
                               samples: 12, epsilon: 1e-3)
            }
        }
    }
}
