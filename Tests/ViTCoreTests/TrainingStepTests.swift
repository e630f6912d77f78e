import XCTest
@testable import ViTCore

final class TrainingStepTests: XCTestCase {
    func testRepeatedStepsOnOneBatchDriveTheLossDown() throws {
        let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        let optimizer = AdamW(weightDecay: 0)
        let step = TrainingStep(loss: ClassificationLoss(kind: .ce), precision: .f32, clipNorm: 1)
        let images = randomTensor([8, 3, 32, 32], seed: 2)
        let labels: [Int32] = [0, 1, 2, 3, 4, 5, 6, 7]
        let first = step.run(model: model, optimizer: optimizer, images: images, labels: labels, learningRate: 1e-2, dropoutSeed: 0)
        var last = first
        for _ in 0..<30 {
            last = step.run(model: model, optimizer: optimizer, images: images, labels: labels, learningRate: 1e-2, dropoutSeed: 0)
        }
        XCTAssertLessThan(last.loss, first.loss * 0.5)
        XCTAssertEqual(last.correct, 8)
    }

    func testBalancedSoftmaxCountsTrainingAccuracyOnThePriorAdjustedLogits() {
        let loss = ClassificationLoss(kind: .balancedSoftmax, classCounts: [1000, 1])
        // Raw logits favour class 1 slightly; the log prior (log 1000 apart) makes class 0 the prediction.
        let logits = Tensor(shape: [1, 2], data: [0, 1])
        XCTAssertEqual(countCorrect(logits, [1]), 1)
        XCTAssertEqual(countCorrect(loss.trainingLogits(logits), [0]), 1)
    }
}
