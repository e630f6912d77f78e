import XCTest
@testable import ViTCore

final class MixedTargetsTests: XCTestCase {
    private let mixed = MixedTargets(labels: [2, 0], partners: [1, 2], lambda: 0.7)

    func testProbabilitiesMixBothLabelsAndSmoothTheRest() {
        // eps 0.3, K 3: every class gets 0.1; the label adds 0.7 * 0.7 = 0.49, the partner 0.7 * 0.3 = 0.21.
        let q = mixed.probabilities(classes: 3, smoothing: 0.3)
        let expected: [Float] = [0.1, 0.31, 0.59, 0.59, 0.1, 0.31]
        for (a, b) in zip(q.data, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(q.shape, [2, 3])
    }

    func testAnUnmixedBatchIsOneHot() {
        let plain = MixedTargets(labels: [1, 0])
        XCTAssertEqual(plain, MixedTargets(labels: [1, 0], partners: [1, 0], lambda: 1))
        XCTAssertEqual(plain.probabilities(classes: 2, smoothing: 0).data, [0, 1, 1, 0])
    }

    func testAPartnerEqualToTheLabelGetsTheWholeWeight() {
        let same = MixedTargets(labels: [1], partners: [1], lambda: 0.25)
        XCTAssertEqual(same.probabilities(classes: 3, smoothing: 0).data, [0, 1, 0])
    }

    func testSampleWeightsMixTheClassWeightsLikeTheTargets() {
        // lambda is a Float: 0.7 is 0.69999999, hence the tolerance.
        let weights = mixed.sampleWeights([1, 10, 100])
        XCTAssertEqual(weights[0], 0.7 * 100 + 0.3 * 10, accuracy: 1e-5)
        XCTAssertEqual(weights[1], 0.7 * 1 + 0.3 * 100, accuracy: 1e-5)
    }

    func testDominantLabelsFollowTheLargerShare() {
        XCTAssertEqual(mixed.dominantLabels, [2, 0])
        XCTAssertEqual(MixedTargets(labels: [2, 0], partners: [1, 2], lambda: 0.4).dominantLabels, [1, 2])
    }
}
