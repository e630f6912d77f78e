import XCTest
@testable import ViTCore

final class DistillationStepTests: XCTestCase {
    func testTheTeacherIsLeftUntouched() throws {
        let teacher = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        let student = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 2)
        let before = teacher.parameters.map(\.value)
        var settings = DistillationSettings()
        settings.kind = .soft
        let step = DistillationStep(loss: DistillationLoss(settings: settings, label: ClassificationLoss(kind: .ce)),
                                    precision: .f32, clipNorm: 1)
        let result = step.run(student: student, teacher: teacher, optimizer: AdamW(weightDecay: 0.05),
                              images: randomTensor([4, 3, 32, 32], seed: 3), labels: [0, 1, 2, 3],
                              learningRate: 1e-3, dropoutSeed: 0)
        XCTAssertEqual(teacher.parameters.map(\.value), before)
        XCTAssertTrue(teacher.parameters.allSatisfy { $0.gradient.data.allSatisfy { $0 == 0 } })
        XCTAssertGreaterThan(result.auxiliaryLoss ?? 0, 0)
    }

    func testABatchNormTeacherKeepsItsRunningStatisticsWhileTheStudentsMove() throws {
        var config = ModelConfig.student.withTinyShape()
        config.norm = .batch
        config.pool = .mean
        let teacher = try VisionTransformer(config: config, seed: 1)
        let student = try VisionTransformer(config: config, seed: 2)
        for buffer in teacher.buffers { buffer.value.data = buffer.value.data.map { $0 + 0.5 } }
        let (teacherBefore, studentBefore) = (teacher.buffers.map(\.value), student.buffers.map(\.value))
        var settings = DistillationSettings()
        settings.kind = .soft
        _ = DistillationStep(loss: DistillationLoss(settings: settings, label: ClassificationLoss(kind: .ce)),
                             precision: .f32, clipNorm: 1)
            .run(student: student, teacher: teacher, optimizer: AdamW(weightDecay: 0.05),
                 images: randomTensor([4, 3, 32, 32], seed: 3), labels: [0, 1, 2, 3], learningRate: 1e-3, dropoutSeed: 0)
        XCTAssertEqual(teacher.buffers.map(\.value), teacherBefore)
        XCTAssertNotEqual(student.buffers.map(\.value), studentBefore)
    }

    func testTheStepDistilsTheMixedBatchWithTheTeachersLabelsOfTheSameImages() throws {
        let config = ModelConfig.student.withTinyShape()
        let teacher = try VisionTransformer(config: config, seed: 1)
        let images = randomTensor([4, 3, 32, 32], seed: 3)
        let targets = MixedTargets(labels: [0, 1, 2, 3], partners: [3, 0, 1, 2], lambda: 0.6)
        var settings = DistillationSettings()
        settings.kind = .hard
        settings.drwDistillation = true
        let label = ClassificationLoss(kind: .ce, classCounts: Array(repeating: 10, count: 9) + [1], drwEpoch: 1,
                                       drwBeta: 0.99)
        let loss = DistillationLoss(settings: settings, label: label)
        let teacherLogits = teacher.forward(images, precision: .f32).logits
        for epoch in [0, 1] {
            let student = try VisionTransformer(config: config, seed: 2)
            let logits = student.forward(images, precision: .f32, dropoutSeed: 0).logits
            let expected = loss.compute(logits: logits, distillationLogits: nil, teacherLogits: teacherLogits,
                                        targets: targets, epoch: epoch)
            let result = DistillationStep(loss: loss, precision: .f32, clipNorm: 1)
                .run(student: student, teacher: teacher, optimizer: AdamW(weightDecay: 0.05), images: images,
                     targets: targets, epoch: epoch, learningRate: 1e-3, dropoutSeed: 0)
            XCTAssertEqual(result.loss, expected.loss, accuracy: 1e-5, "epoch \(epoch)")
            XCTAssertEqual(result.auxiliaryLoss!, expected.distillationLoss, accuracy: 1e-5, "epoch \(epoch)")
        }
    }
}
