import XCTest
@testable import ViTCore

final class EffectiveNumberWeightsTests: XCTestCase {
    func testWeightsMatchHandComputedValues() {
        // beta 0.9, counts 100, 10, 1: (1 - beta) / (1 - beta^n) = 0.100003, 0.153534, 1;
        // sum 1.253536, scaled to sum 3: 0.239329, 0.367442, 2.393229.
        let weights = effectiveNumberWeights(classCounts: [100, 10, 1], beta: 0.9)
        XCTAssertEqual(weights[0], 0.239329, accuracy: 1e-6)
        XCTAssertEqual(weights[1], 0.367442, accuracy: 1e-6)
        XCTAssertEqual(weights[2], 2.393229, accuracy: 1e-6)
        XCTAssertEqual(weights.reduce(0, +), 3, accuracy: 1e-12)
    }

    func testBetaZeroWeighsEveryClassOne() {
        XCTAssertEqual(effectiveNumberWeights(classCounts: [5000, 50], beta: 0), [1, 1])
    }

    func testTheCIFAR10LTRareClassWeighsMostAndTheDefaultBetaIsNearInverseFrequency() {
        let counts = longTailCounts(perClass: 5000, imbalanceRatio: 100)
        let weights = effectiveNumberWeights(classCounts: counts, beta: 0.9999)
        XCTAssertEqual(weights, weights.sorted())
        // Effective numbers 3935 and 49.9 (not 5000 and 50): the ratio is 78.9, not 100.
        XCTAssertEqual(weights[9] / weights[0], (1 - pow(0.9999, 5000)) / (1 - pow(0.9999, 50)), accuracy: 1e-9)
    }
}
