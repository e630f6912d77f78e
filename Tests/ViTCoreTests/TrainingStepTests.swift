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

    func testAStepFoldsTheBatchStatisticsIntoTheRunningOnesButNeverTrainsThem() throws {
        var config = ModelConfig.student.withTinyShape()
        config.norm = .batch
        config.pool = .mean
        let model = try VisionTransformer(config: config, seed: 1)
        let images = randomTensor([4, 3, 32, 32], seed: 2)
        let before = model.forward(images, keepCache: true, dropoutSeed: 0).cache!
        guard case .batch(let finalCache) = before.encoder.finalNorm else { return XCTFail("a BatchNorm cache") }
        let optimizer = AdamW(weightDecay: 0.05)
        _ = TrainingStep(loss: ClassificationLoss(kind: .ce), precision: .f32, clipNorm: 1)
            .run(model: model, optimizer: optimizer, images: images, labels: [0, 1, 2, 3], learningRate: 1e-3, dropoutSeed: 0)
        XCTAssertEqual(model.buffers.first { $0.name == "norm.running_mean" }!.value.data, finalCache.batchMean.map { 0.1 * $0 })
        XCTAssertTrue(model.buffers.allSatisfy { optimizer.firstMoments[$0.name] == nil && $0.gradient.data.allSatisfy { $0 == 0 } })
    }

    func testBalancedSoftmaxCountsTrainingAccuracyOnThePriorAdjustedLogits() {
        let loss = ClassificationLoss(kind: .balancedSoftmax, classCounts: [1000, 1])
        // Raw logits favour class 1 slightly; the log prior (log 1000 apart) makes class 0 the prediction.
        let logits = Tensor(shape: [1, 2], data: [0, 1])
        XCTAssertEqual(countCorrect(logits, [1]), 1)
        XCTAssertEqual(countCorrect(loss.trainingLogits(logits), [0]), 1)
    }

    func testTheStepTrainsTheMixedLossOfItsEpoch() throws {
        // DRW from epoch 1: the reported loss is the loss at the step's epoch on the mixed targets.
        let images = randomTensor([4, 3, 32, 32], seed: 4)
        let targets = MixedTargets(labels: [0, 1, 2, 3], partners: [3, 0, 1, 2], lambda: 0.7)
        let loss = ClassificationLoss(kind: .logitAdjusted, labelSmoothing: 0.1, classCounts: Array(repeating: 10, count: 9) + [1],
                                      logitAdjustmentTau: 0.5, drwEpoch: 1, drwBeta: 0.99)
        for epoch in [0, 1] {
            let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
            let logits = model.forward(images, precision: .f32, dropoutSeed: 0).logits
            let expected = loss.compute(logits: logits, targets: targets, epoch: epoch).loss
            let result = TrainingStep(loss: loss, precision: .f32, clipNorm: 1)
                .run(model: model, optimizer: AdamW(weightDecay: 0), images: images, targets: targets, epoch: epoch,
                     learningRate: 1e-3, dropoutSeed: 0)
            XCTAssertEqual(result.loss, expected, accuracy: 1e-5, "epoch \(epoch)")
        }
    }

    func testTheLabelsEntryPointIsAnUnmixedBatchAtEpochZero() throws {
        let images = randomTensor([4, 3, 32, 32], seed: 5)
        let labels: [Int32] = [0, 1, 2, 3]
        let step = TrainingStep(loss: ClassificationLoss(kind: .ce, labelSmoothing: 0.1), precision: .f32, clipNorm: 1)
        let a = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        let b = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        let first = step.run(model: a, optimizer: AdamW(weightDecay: 0), images: images, labels: labels,
                             learningRate: 1e-3, dropoutSeed: 0)
        let second = step.run(model: b, optimizer: AdamW(weightDecay: 0), images: images,
                              targets: MixedTargets(labels: labels), epoch: 0, learningRate: 1e-3, dropoutSeed: 0)
        XCTAssertEqual(first.loss, second.loss)
        XCTAssertEqual(a.parameters.map(\.value), b.parameters.map(\.value))
    }
}
