import XCTest
@testable import ViTCore

final class TrainingConfigTests: XCTestCase {
    func testDefaultsAreTheReferenceRecipe() {
        let config = TrainingConfig()
        XCTAssertEqual(config.epochs, 30)
        XCTAssertEqual(config.batchSize, 128)
        XCTAssertEqual(config.learningRate, 1e-3)
        XCTAssertEqual(config.weightDecay, 0.05)
        XCTAssertEqual(config.warmupEpochs, 5)
        XCTAssertEqual(config.labelSmoothing, 0.1)
        XCTAssertEqual(config.clipNorm, 1)
        XCTAssertEqual(config.augmentation, .cropFlip)
    }

    func testImpossibleSettingsAreRejectedByName() {
        var config = TrainingConfig()
        config.ohemRatio = 0
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual("\($0)", "OHEM ratio must be in (0, 1], got 0.0") }
        config = TrainingConfig()
        config.imbalanceRatio = 0.5
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual("\($0)", "imbalance ratio must be at least 1, got 0.5") }
    }

    func testAugmentationSettingsAreOptionalOnDecodeAndStoredUnderTheirOwnKey() throws {
        var config = TrainingConfig()
        let older = try JSONEncoder().encode(config)
        XCTAssertFalse(String(decoding: older, as: UTF8.self).contains("augment_settings"))
        XCTAssertNil(try JSONDecoder().decode(TrainingConfig.self, from: older).augmentationSettings)
        config.augmentationSettings = AugmentationSettings(policy: .autoAugment, mixup: 0.8)
        XCTAssertEqual(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(config)), config)
    }
}
