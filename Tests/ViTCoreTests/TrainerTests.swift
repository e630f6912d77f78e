import XCTest
@testable import ViTCore

final class TrainerTests: XCTestCase {
    private func makeTrainer(epochs: Int, logs: [EpochLog] = []) throws -> (Trainer, VisionTransformer) {
        let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        var config = TrainingConfig()
        config.epochs = epochs
        config.batchSize = 8
        config.warmupEpochs = 1
        let optimizer = AdamW(weightDecay: 0.05)
        let step = TrainingStep(loss: ClassificationLoss(kind: .ce), precision: .f32, clipNorm: 1)
        let images = syntheticImages(labels: (0..<40).map { UInt8($0 % 10) }, seed: 3)
        let trainer = Trainer(model: model, config: config, training: images, test: images, logs: logs) {
            x, targets, epoch, rate, seed in
            step.run(model: model, optimizer: optimizer, images: x, targets: targets, epoch: epoch, learningRate: rate,
                     dropoutSeed: seed)
        }
        trainer.progress = { _ in }
        return (trainer, model)
    }

    func testEveryEpochIsLoggedWithItsTestAccuracy() throws {
        let (trainer, _) = try makeTrainer(epochs: 2)
        var seen: [Int] = []
        try trainer.run { seen.append($0.logs.count) }
        XCTAssertEqual(seen, [1, 2])
        XCTAssertEqual(trainer.logs.map(\.epoch), [1, 2])
        XCTAssertTrue(trainer.logs.allSatisfy { (0...1).contains($0.testAccuracy) && $0.trainLoss > 0 })
        XCTAssertEqual(trainer.logs.last!.learningRate, 0, accuracy: 1e-4)  // the cosine reached its end
    }

    func testStopAfterTrainsPartOfTheScheduleAndLogsResumeIt() throws {
        let (partial, _) = try makeTrainer(epochs: 3)
        try partial.run(stopAfter: 1)
        XCTAssertEqual(partial.logs.count, 1)
        let (resumed, _) = try makeTrainer(epochs: 3, logs: partial.logs)
        try resumed.run()
        XCTAssertEqual(resumed.logs.map(\.epoch), [1, 2, 3])
    }

    func testASignalStopsTheRunAfterTheStepWithTheFinishedEpochsSaved() throws {
        let (trainer, _) = try makeTrainer(epochs: 4)
        var saved = 0
        // 40 images at batch 8: 5 steps an epoch; the signal comes during step 2 of epoch 2.
        trainer.stepObserver = { record in if record.step == 7 { RunInterruption.simulate(SIGTERM) } }
        XCTAssertThrowsError(try trainer.run { saved = $0.logs.count }) { error in
            let interrupted = error as? RunInterrupted
            XCTAssertEqual(interrupted?.signal, SIGTERM)
            XCTAssertEqual(interrupted?.completedEpochs, 1)
            XCTAssertEqual(interrupted?.exitCode, 143)
            XCTAssertEqual("\(error)", "interrupted by SIGTERM during epoch 2 of 4")
            XCTAssertEqual(interrupted?.kept("m.h5"), "m.h5 holds epoch 1 of 4")
        }
        XCTAssertEqual(saved, 1)
        XCTAssertEqual(trainer.logs.count, 1, "the unfinished epoch is not logged")
        XCTAssertEqual(RunInterrupted(signal: SIGINT, completedEpochs: 0, epochs: 4).kept("m.h5"),
                       "no epoch finished, so m.h5 was not written")
    }

    func testANonFiniteLossStopsTheRunBeforeTheEpochIsSaved() throws {
        let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        var config = TrainingConfig()
        config.epochs = 2
        config.batchSize = 8
        let images = syntheticImages(labels: (0..<40).map { UInt8($0 % 10) }, seed: 3)
        var steps = 0
        let trainer = Trainer(model: model, config: config, training: images, test: images) { _, _, _, _, _ in
            steps += 1
            return StepResult(loss: steps == 3 ? .nan : 1, correct: 0, gradientNorm: 1)
        }
        trainer.progress = { _ in }
        var saved = 0
        XCTAssertThrowsError(try trainer.run { _ in saved += 1 }) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("epoch 1 step 3: loss nan"), message)
            XCTAssertTrue(message.contains("--lr") && message.contains("--clip-norm"), message)
            XCTAssertFalse(message.contains("\n"))
        }
        XCTAssertEqual(steps, 3, "training stops at the first bad step")
        XCTAssertEqual(saved, 0, "no checkpoint for an epoch that never finished")
        XCTAssertTrue(trainer.logs.isEmpty)
    }

    func testAnInfiniteGradientNormStopsTheRunToo() throws {
        let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        var config = TrainingConfig()
        config.batchSize = 8
        let images = syntheticImages(labels: (0..<16).map { UInt8($0 % 10) }, seed: 3)
        let trainer = Trainer(model: model, config: config, training: images, test: images) { _, _, _, _, _ in
            StepResult(loss: 2, correct: 0, gradientNorm: .infinity)
        }
        trainer.progress = { _ in }
        XCTAssertThrowsError(try trainer.run()) { XCTAssertTrue("\($0)".hasPrefix("epoch 1 step 1:")) }
    }

    func testDurationsReadNaturally() {
        XCTAssertEqual(formatDuration(45), "45s")
        XCTAssertEqual(formatDuration(750), "12m30s")
        XCTAssertEqual(formatDuration(3720), "1h02m")
    }
}
