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
        XCTAssertEqual(postHocTauGrid, [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2])
    }

    func testTiesGoToTheSmallestTau() {
        let choice = choosePostHocTau(validationLogits: Tensor(shape: [1, 2], data: [10, 0]), labels: [0],
                                      logPrior: logPrior(classCounts: [900, 100]), grid: [2, 1, 0.5])
        XCTAssertEqual(choice.tau, 0.5)
    }
}
