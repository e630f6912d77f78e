import XCTest
@testable import ViTCore

final class ClassificationLossShareTests: XCTestCase {
    func testAPlainMeanSharesByRowCount() {
        let loss = ClassificationLoss(kind: .ce)
        let targets = MixedTargets(labels: [0, 1, 2])
        XCTAssertEqual(loss.share(of: BatchRows(range: 0..<1, total: 3), targets: targets, epoch: 0), 1.0 / 3)
    }

    func testClassWeightsShareByTheRowsWeightAndTheSharesAddUpToOne() {
        let loss = ClassificationLoss(kind: .weightedCE, classCounts: [100, 10])
        let targets = MixedTargets(labels: [0, 0, 1])
        let weights = loss.classWeights
        let first = loss.share(of: BatchRows(range: 0..<2, total: 3), targets: targets, epoch: 0)
        let second = loss.share(of: BatchRows(range: 2..<3, total: 3), targets: targets, epoch: 0)
        XCTAssertEqual(Double(first), 2 * weights[0] / (2 * weights[0] + weights[1]), accuracy: 1e-6)
        XCTAssertEqual(first + second, 1, accuracy: 1e-6)
    }
}
