import Foundation
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

    func testNewSettingsDefaultToTheOldBehaviour() {
        let config = TrainingConfig()
        XCTAssertEqual(config.logitAdjustmentTau, 1)
        XCTAssertEqual(config.adjustFromEpoch, 0)
        XCTAssertNil(config.drwEpoch)
        XCTAssertEqual(config.drwBeta, 0.9999)
        XCTAssertEqual(config.emaDecay, 0)
        XCTAssertEqual(config.validationFraction, 0)
    }

    func testAConfigStoredBeforeTheLongTailSettingsStillDecodes() throws {
        // The "training" section as checkpoints stored it before issue 11.
        let old = #"{"epochs":30,"batch_size":128,"lr":0.001,"min_lr":0,"weight_decay":0.05,"warmup_epochs":5,"#
            + #""label_smoothing":0.1,"clip_norm":1,"loss":"balanced-softmax","ohem_ratio":0.5,"precision":"f32","#
            + #""augment":"crop-flip","imbalance_ratio":100,"seed":7,"encoder_lr_scale":1}"#
        var expected = TrainingConfig()
        expected.loss = .balancedSoftmax
        expected.imbalanceRatio = 100
        expected.seed = 7
        let decoded = try JSONDecoder().decode(TrainingConfig.self, from: Data(old.utf8))
        XCTAssertEqual(decoded, expected)
    }

    func testEverySettingSurvivesAJSONRoundTripUnderItsSnakeCaseKey() throws {
        var config = TrainingConfig()
        config.loss = .logitAdjusted
        config.logitAdjustmentTau = 0.75
        config.adjustFromEpoch = 3
        config.drwEpoch = 20
        config.drwBeta = 0.999
        config.emaDecay = 0.998
        config.validationFraction = 0.1
        config.validationSeed = 9
        let json = try JSONEncoder().encode(config)
        XCTAssertEqual(try JSONDecoder().decode(TrainingConfig.self, from: json), config)
        let keys = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any]).keys
        for key in ["logit_adjustment_tau", "adjust_from_epoch", "drw_epoch", "drw_beta", "ema_decay",
                    "validation_fraction", "validation_seed"] {
            XCTAssertTrue(keys.contains(key), key)
        }
        XCTAssertNoThrow(try config.validate())
    }

    func testImpossibleLongTailSettingsAreRejectedByName() {
        func message(_ change: (inout TrainingConfig) -> Void) -> String {
            var config = TrainingConfig()
            change(&config)
            do { try config.validate() } catch { return "\(error)" }
            return "accepted"
        }
        XCTAssertEqual(message { $0.logitAdjustmentTau = -1 },
                       "logit adjustment tau must be finite and not negative, got -1.0")
        XCTAssertEqual(message { $0.drwEpoch = 30 }, "DRW epoch must be in 0..<30 (epochs count from 0), got 30")
        XCTAssertEqual(message { $0.drwBeta = 1 }, "DRW beta must be in [0, 1), got 1.0")
        XCTAssertEqual(message { $0.emaDecay = 1 }, "EMA decay must be in [0, 1) (0: off), got 1.0")
        XCTAssertEqual(message { $0.validationFraction = -0.1 },
                       "validation fraction must be in [0, 1) (0: no split), got -0.1")
        XCTAssertEqual(message { $0.adjustFromEpoch = 40 },
                       "adjust-from epoch must be in 0..<30 (epochs count from 0), got 40")
        XCTAssertEqual(message { $0.adjustFromEpoch = 5 },
                       "adjust-from epoch needs loss logit-adjusted or balanced-softmax, got ce")
        XCTAssertEqual(message { $0.loss = .balancedSoftmax; $0.adjustFromEpoch = 5; $0.drwEpoch = 0 }, "accepted")
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
