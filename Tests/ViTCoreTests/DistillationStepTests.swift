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
}
