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
        let choice = choosePostHocTau(validationLogits: logits, labels: labels, logPrior: prior, criterion: .accuracy)
        XCTAssertEqual(choice.balancedAccuracy, 1)
        XCTAssertEqual(choice.tau, 1)
        XCTAssertEqual(postHocTauGrid, [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2])
    }

    func testTiesGoToTheTauNearestZero() {
        let choice = choosePostHocTau(validationLogits: Tensor(shape: [1, 2], data: [10, 0]), labels: [0],
                                      logPrior: logPrior(classCounts: [900, 100]), grid: [2, 1, 0.5],
                                      criterion: .accuracy)
        XCTAssertEqual(choice.tau, 0.5)
        let either = choosePostHocTau(validationLogits: Tensor(shape: [1, 2], data: [10, 0]), labels: [0],
                                      logPrior: logPrior(classCounts: [900, 100]), grid: [1, -0.5, 0.75],
                                      criterion: .accuracy)
        XCTAssertEqual(either.tau, -0.5)
    }

    func testAnOverCorrectingModelGetsANegativeTau() {
        // The frequent class (prior 0.9) loses its rows by 1 and 0.5: only a negative tau, which
        // adds back tau * 2.197 of the prior's gap, gets them right without losing the rare row (lead 3).
        let prior = logPrior(classCounts: [900, 100])
        let logits = Tensor(shape: [3, 2], data: [0, 1, 0, 0.5, 0, 3])
        let choice = choosePostHocTau(validationLogits: logits, labels: [0, 0, 1], logPrior: prior, criterion: .accuracy)
        XCTAssertEqual(choice.balancedAccuracy, 1)
        XCTAssertEqual(choice.tau, -0.5)
    }

    func testBalancedLogLossAveragesEachClassesMeanLoss() {
        // Class 0: rows with -log p = log 2 (logits equal) and log(1 + e^-2); class 1: log(1 + e^1).
        let logits = Tensor(shape: [3, 2], data: [0, 0, 2, 0, 0, -1])
        let expected = ((log(2.0) + log(1 + exp(-2.0))) / 2 + log(1 + exp(1.0))) / 2
        XCTAssertEqual(balancedLogLoss(logits, labels: [0, 0, 1]), expected, accuracy: 1e-6)
    }

    func testTheLogLossCriterionFindsThePriorShiftOfAnUnadjustedModel() {
        // Logits that are a balanced model's plus the log prior (0.9 / 0.1): the balanced log loss
        // is lowest where tau takes exactly the prior back out, tau = 1.
        let prior = logPrior(classCounts: [900, 100])
        var rows: [Float] = [], labels: [Int32] = []
        for (label, margin) in [(0, 1.5), (0, 0.5), (0, -0.5), (1, 1.5), (1, 0.5), (1, -0.5)] as [(Int32, Float)] {
            let balanced: [Float] = label == 0 ? [margin, 0] : [0, margin]
            rows += [balanced[0] + prior[0], balanced[1] + prior[1]]
            labels.append(label)
        }
        let choice = choosePostHocTau(validationLogits: Tensor(shape: [6, 2], data: rows), labels: labels, logPrior: prior)
        XCTAssertEqual(choice.tau, 1, accuracy: 1e-6)
        XCTAssertEqual(PostHocCriterion.logLoss.grid.count, 61)
        XCTAssertEqual(PostHocCriterion.logLoss.grid.first!, -1, accuracy: 1e-6)
        XCTAssertEqual(PostHocCriterion.logLoss.grid.last!, 2, accuracy: 1e-6)
    }
}
