import XCTest
@testable import ViTStore
import ViTCore

final class StageTests: XCTestCase {
    func testEveryStageRoundTripsThroughTheFileAttribute() throws {
        var config = ModelConfig.student
        (config.dim, config.depth, config.heads, config.mlpDim, config.patchSize) = (8, 1, 2, 8, 16)
        let model = try VisionTransformer(config: config, seed: 1)
        for stage in Stage.allCases {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-\(UUID().uuidString).h5").path
            try Checkpoint(model: model, record: ModelRecord(stage: stage, model: config, seed: 1), command: [])
                .save(to: path)
            XCTAssertEqual(try Checkpoint.load(from: path).stage(file: path), stage)
        }
    }

    func testAnUnknownStageIsOneLineErrorNamingTheFileAndTheKnownStages() throws {
        var file = Checkpoint()
        file.attributes["stage"] = .string("distilled")
        XCTAssertThrowsError(try file.stage(file: "x.h5")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("x.h5: unknown stage \"distilled\""), message)
            XCTAssertTrue(message.contains("teacher, student, pruned, int8"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertThrowsError(try Checkpoint().stage(file: "y.h5"))  // no attribute at all
    }

    func testTheChainComesFirstInItsOrder() {
        XCTAssertEqual(Stage.chain.map(\.chainRank), [0, 1, 2, 3])
        XCTAssertEqual(Stage.study.chainRank, Stage.chain.count)
        XCTAssertEqual(Stage.imported.chainRank, Stage.pretrained.chainRank)
        XCTAssertTrue(Stage.int8.isQuantized)
        XCTAssertFalse(Stage.pruned.isQuantized)
    }
}
