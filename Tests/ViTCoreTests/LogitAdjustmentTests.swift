import Foundation
import XCTest
@testable import ViTCore

final class LogitAdjustmentTests: XCTestCase {
    func testLogPriorIsTheLogOfEachClassShare() {
        // 100, 10, 1 of 111: log(0.900901), log(0.090090), log(0.009009).
        let prior = logPrior(classCounts: [100, 10, 1])
        XCTAssertEqual(prior[0], -0.104360, accuracy: 1e-6)
        XCTAssertEqual(prior[1], -2.406945, accuracy: 1e-6)
        XCTAssertEqual(prior[2], -4.709530, accuracy: 1e-6)
    }

    func testPostHocAdjustmentSubtractsTauTimesTheLogPrior() {
        let logits = Tensor(shape: [2, 3], data: [1, 2, 3, 0, 0, 0])
        let prior = logPrior(classCounts: [100, 10, 1])
        // tau 0.5: z + (0.052180, 1.203473, 2.354765).
        let adjusted = adjustLogits(logits, logPrior: prior, tau: 0.5)
        let expected: [Float] = [1.052180, 3.203473, 5.354765, 0.052180, 1.203473, 2.354765]
        for (a, b) in zip(adjusted.data, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(adjustLogits(logits, logPrior: prior, tau: 0), logits)
    }

    func testAdjustmentMovesPredictionsTowardsRareClasses() {
        // Equal raw logits: the rarest class has the most negative log prior and wins once adjusted.
        let adjusted = adjustLogits(Tensor(zeros: [1, 3]), logPrior: logPrior(classCounts: [100, 10, 1]), tau: 1)
        XCTAssertEqual(predictions(adjusted), [2])
    }
}
