import XCTest
@testable import ViTCore

final class ClassificationLossConfigTests: XCTestCase {
    func testTheConfigurationsSettingsReachTheLoss() {
        var config = TrainingConfig()
        config.loss = .logitAdjusted
        config.logitAdjustmentTau = 0.5
        config.adjustFromEpoch = 2
        config.drwEpoch = 4
        config.drwBeta = 0.99
        let loss = ClassificationLoss(config: config, classCounts: [100, 10, 1])
        XCTAssertEqual(loss.kind, .logitAdjusted)
        XCTAssertEqual(loss.labelSmoothing, config.labelSmoothing)
        XCTAssertEqual(loss.adjustmentTau(epoch: 2), 0.5)
        XCTAssertEqual(loss.adjustmentTau(epoch: 1), 0)
        XCTAssertEqual(loss.drwEpoch, 4)
        XCTAssertEqual(loss.drwBeta, 0.99)
        XCTAssertEqual(loss.classCounts, [100, 10, 1])
    }
}
