import Foundation
import XCTest
@testable import ViTCore

final class TrainingScheduleTests: XCTestCase {
    private func keys(_ value: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any]
        return Set(try XCTUnwrap(object).keys)
    }

    func testBothConfigsStoreTheScheduleFlatUnderTheSameKeys() throws {
        let shared: Set<String> = ["epochs", "batch_size", "lr", "min_lr", "weight_decay", "warmup_epochs", "clip_norm",
                                   "precision", "augment", "imbalance_ratio", "seed"]
        XCTAssertEqual(try keys(TrainingSchedule()), shared)
        XCTAssertTrue(try keys(TrainingConfig()).isSuperset(of: shared))
        XCTAssertTrue(try keys(PretrainingConfig()).isSuperset(of: shared.union(["objective", "mask_ratio"])))
        XCTAssertFalse(try keys(TrainingConfig()).contains("schedule"))
    }

    func testAFieldOfTheScheduleReadsAndWritesAsTheConfigsOwn() throws {
        var training = TrainingConfig(), pretraining = PretrainingConfig()
        training.epochs = 3
        pretraining.seed = 9
        XCTAssertEqual(training.schedule.epochs, 3)
        XCTAssertEqual(pretraining.schedule.seed, 9)
        let decoded = try JSONDecoder().decode(PretrainingConfig.self, from: JSONEncoder().encode(pretraining))
        XCTAssertEqual(decoded, pretraining)
    }

    func testTheSharedChecksNameTheField() {
        var schedule = TrainingSchedule()
        schedule.batchSize = 0
        XCTAssertThrowsError(try schedule.validate()) {
            XCTAssertEqual(($0 as? ConfigError)?.message, "batch size must be at least 1, got 0")
        }
    }
}
