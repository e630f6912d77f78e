import XCTest
@testable import ViTCore

final class PostHocTauTests: XCTestCase {
    func testBalancedAccuracyAveragesPerClassAccuracies() {
        // Class 0: 2 of 3 right; class 1: 0 of 1; class 2 absent -> (2/3 + 0) / 2.
        let logits = Tensor(shape: [4, 3], data: [1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0])
        XCTAssertEqual(balancedAccuracy(logits, labels: [0, 0, 0, 1]), 1.0 / 3, accuracy: 1e-12)
    }

    func testTheChosenTauMaximisesBalancedValidationAccuracy() {
        // Prior 0.9 / 0.1: tau shifts class 1 up by 2.197 tau. The rare rows (class 1) trail by 2
        // and 1.5, so they need tau > 0.91 and > 0.68; the frequent rows lead by 3, so tau < 1.37.
        // Only 1 and 1.25 get every row right; the smaller is chosen.
        let prior = logPrior(classCounts: [900, 100])
        let logits = Tensor(shape: [4, 2], data: [3, 0, 3, 0, 2, 0, 1.5, 0])
        let labels: [Int32] = [0, 0, 1, 1]
        let choice = choosePostHocTau(validationLogits: logits, labels: labels, logPrior: prior)
        XCTAssertEqual(choice.balancedAccuracy, 1)
        XCTAssertEqual(choice.tau, 1)
        XCTAssertEqual(postHocTauGrid, [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2])
    }

    func testTiesGoToTheTauNearestZero() {
        let choice = choosePostHocTau(validationLogits: Tensor(shape: [1, 2], data: [10, 0]), labels: [0],
                                      logPrior: logPrior(classCounts: [900, 100]), grid: [2, 1, 0.5])
        XCTAssertEqual(choice.tau, 0.5)
        let either = choosePostHocTau(validationLogits: Tensor(shape: [1, 2], data: [10, 0]), labels: [0],
                                      logPrior: logPrior(classCounts: [900, 100]), grid: [1, -0.5, 0.75])
        XCTAssertEqual(either.tau, -0.5)
    }

    func testAnOverCorrectingModelGetsANegativeTau() {
        // The frequent class (prior 0.9) loses its rows by 1 and 0.5: only a negative tau, which
        // adds back tau * 2.197 of the prior's gap, gets them right without losing the rare row (lead 3).
        let prior = logPrior(classCounts: [900, 100])
        let logits = Tensor(shape: [3, 2], data: [0, 1, 0, 0.5, 0, 3])
        let choice = choosePostHocTau(validationLogits: logits, labels: [0, 0, 1], logPrior: prior)
        XCTAssertEqual(choice.balancedAccuracy, 1)
        XCTAssertEqual(choice.tau, -0.5)
    }
}
