import XCTest
@testable import ViTCore

final class AugmentationSettingsTests: XCTestCase {
    func testDefaultSwitchesEverythingOff() {
        let settings = AugmentationSettings()
        XCTAssertEqual(settings, .none)
        XCTAssertEqual(settings.policy, .none)
        XCTAssertNil(settings.erasing)
        XCTAssertNil(settings.mixing(epoch: 0))
    }

    func testOlderAndPartialJSONDecodeWithDefaults() throws {
        let empty = try JSONDecoder().decode(AugmentationSettings.self, from: Data("{}".utf8))
        XCTAssertEqual(empty, .none)
        let partial = try JSONDecoder().decode(AugmentationSettings.self,
                                               from: Data(#"{"policy": "auto-augment", "mixup": 0.8, "mix_off_epoch": 250}"#.utf8))
        XCTAssertEqual(partial, AugmentationSettings(policy: .autoAugment, mixup: 0.8, mixOffEpoch: 250))
    }

    func testKeysAreSnakeCaseAndRoundTrip() throws {
        var settings = AugmentationSettings(policy: .randAugment, randomErasing: 0.25, mixup: 0.8, cutmix: 1, mixOffEpoch: 10)
        settings.randAugmentMagnitude = 12
        let data = try JSONEncoder().encode(settings)
        let keys = Set((try JSONSerialization.jsonObject(with: data) as! [String: Any]).keys)
        XCTAssertEqual(keys, ["policy", "rand_augment_ops", "rand_augment_magnitude", "random_erasing", "mixup",
                              "cutmix", "mix_switch_prob", "mix_off_epoch"])
        XCTAssertEqual(try JSONDecoder().decode(AugmentationSettings.self, from: data), settings)
    }

    func testMixingStopsFromTheMixOffEpoch() {
        let settings = AugmentationSettings(mixup: 0.8, cutmix: 1, mixOffEpoch: 3)
        XCTAssertEqual(settings.mixing(epoch: 2), BatchMixing(mixupAlpha: 0.8, cutmixAlpha: 1, switchProbability: 0.5))
        XCTAssertNil(settings.mixing(epoch: 3))
        XCTAssertNotNil(AugmentationSettings(cutmix: 1).mixing(epoch: 1000))
    }

    func testImpossibleSettingsAreRejectedByName() {
        var settings = AugmentationSettings(randomErasing: 1.5)
        XCTAssertThrowsError(try settings.validate()) {
            XCTAssertEqual("\($0)", "random erasing probability must be in [0, 1], got 1.5")
        }
        settings = AugmentationSettings(mixup: -1)
        XCTAssertThrowsError(try settings.validate()) { XCTAssertEqual("\($0)", "mixup alpha must not be negative, got -1.0") }
        settings = AugmentationSettings()
        settings.randAugmentMagnitude = 31
        XCTAssertThrowsError(try settings.validate()) {
            XCTAssertEqual("\($0)", "RandAugment magnitude must be a bin in 0...30, got 31")
        }
        XCTAssertNoThrow(try AugmentationSettings(policy: .trivialAugment, randomErasing: 0.25, mixup: 0.8, cutmix: 1).validate())
    }
}
