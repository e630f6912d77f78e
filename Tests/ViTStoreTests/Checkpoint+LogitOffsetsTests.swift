import XCTest
import ViTCore
@testable import ViTStore

final class CheckpointLogitOffsetsTests: XCTestCase {
    private func logits(_ model: VisionTransformer, _ images: Tensor) -> [Float] {
        model.forward(images, precision: .f32).logits.data
    }

    private func checkFolding(distillationToken: Bool) throws {
        var config = ModelConfig.student
        (config.dim, config.depth, config.heads, config.mlpDim, config.patchSize) = (8, 1, 2, 8, 16)
        config.distillationToken = distillationToken
        let model = try VisionTransformer(config: config, seed: 5)
        var file = Checkpoint(model: model, record: ModelRecord(stage: .student, model: config, seed: 5),
                              command: [])
        let offsets: [Float] = [0.5, -1, 2, 0, 0.25, -0.75, 1.5, -2, 0.125, 3]
        file.foldLogitOffsets(offsets, keepLearned: true)
        let images = Tensor(shape: [2, 3, 32, 32], data: randomFloats(2 * 3072, seed: 6))
        let before = logits(model, images), after = logits(try file.makeModel(file: "folded.h5"), images)
        for i in 0..<before.count { XCTAssertEqual(after[i], before[i] + offsets[i % 10], accuracy: 1e-5) }
        for name in Checkpoint.adjustableBiases where file.weights[name] != nil {
            let learned = try XCTUnwrap(model.parametersAndBuffers.first { $0.name == name }).value
            XCTAssertEqual(file.optimizer["unadjusted." + name]?.tensor, learned, "\(name) as trained, for --resume")
        }
    }

    func testFoldedOffsetsShiftTheSavedModelsLogitsByExactlyThoseOffsets() throws {
        try checkFolding(distillationToken: false)
    }

    func testWithADistillationTokenBothHeadsShiftSoTheirMeanDoes() throws {
        try checkFolding(distillationToken: true)
    }

    func testWithoutKeepLearnedNoOptimizerEntryIsWritten() throws {
        let model = try VisionTransformer(config: ModelConfig.student, seed: 1)
        var file = Checkpoint(model: model, record: ModelRecord(stage: .student, model: model.config, seed: 1),
                              command: [])
        file.foldLogitOffsets([Float](repeating: 1, count: 10), keepLearned: false)
        XCTAssertTrue(file.optimizer.isEmpty)
    }
}
