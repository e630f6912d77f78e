import Foundation
import XCTest
@testable import ViTCore

final class DistillationLossTests: XCTestCase {
    private let labels: [Int32] = [0, 2, 1, 1]
    private let teacher = randomTensor([4, 3], seed: 31, scale: 2)

    private func loss(_ kind: DistillationKind, alpha: Float = 0.7, smoothing: Float = 0.1) -> DistillationLoss {
        var settings = DistillationSettings()
        settings.kind = kind
        settings.alpha = alpha
        settings.temperature = 3
        return DistillationLoss(settings: settings, label: ClassificationLoss(kind: .ce, labelSmoothing: smoothing))
    }

    func testSoftLossWithAlphaZeroEqualsPlainCrossEntropy() {
        let student = randomTensor([4, 3], seed: 32)
        let distilled = loss(.soft, alpha: 0).compute(logits: student, distillationLogits: nil,
                                                      teacherLogits: teacher, labels: labels)
        let plain = ClassificationLoss(kind: .ce, labelSmoothing: 0.1).compute(logits: student, labels: labels)
        XCTAssertEqual(distilled.loss, plain.loss, accuracy: 1e-6)
        XCTAssertEqual(distilled.dLogits, plain.dLogits)
    }

    func testDivergenceOfIdenticalLogitsIsZeroAndMatchesAHandComputedCase() {
        let same = randomTensor([2, 3], seed: 33)
        XCTAssertEqual(softTargetDivergence(student: same, teacher: same, temperature: 2).0, 0, accuracy: 1e-7)
        // T = 1, teacher (0, 0) -> p = (1/2, 1/2); student (log 3, 0) -> q = (3/4, 1/4):
        // KL = 1/2 log(2/3) + 1/2 log(2) = 0.143841
        let (kl, _) = softTargetDivergence(student: Tensor(shape: [1, 2], data: [Float(log(3.0)), 0]),
                                           teacher: Tensor(zeros: [1, 2]), temperature: 1)
        XCTAssertEqual(kl, 0.143841, accuracy: 1e-5)
    }

    func testHardLossAveragesLabelAndTeacherCrossEntropy() {
        let student = randomTensor([4, 3], seed: 34)
        let result = loss(.hard, smoothing: 0).compute(logits: student, distillationLogits: nil,
                                                       teacherLogits: teacher, labels: labels)
        let teacherLabels = predictions(teacher).map { Int32($0) }
        let ce = ClassificationLoss(kind: .ce)
        let expected = 0.5 * ce.compute(logits: student, labels: labels).loss
            + 0.5 * ce.compute(logits: student, labels: teacherLabels).loss
        XCTAssertEqual(result.loss, expected, accuracy: 1e-6)
    }

    func testGradientsMatchFiniteDifferences() {
        for kind in DistillationKind.allCases {
            let distillation = loss(kind)
            var student = randomTensor([4, 3], seed: 35)
            let analytic = distillation.compute(logits: student, distillationLogits: nil, teacherLogits: teacher,
                                                labels: labels).dLogits
            assertGradient("\(kind)", analytic: analytic.data, perturb: { student.data[$0] += $1 },
                           loss: { Double(distillation.compute(logits: student, distillationLogits: nil,
                                                               teacherLogits: self.teacher, labels: self.labels).loss) },
                           samples: 12, epsilon: 1e-3)
        }
    }

    func testWithADistillationTokenTheTeacherTermReachesOnlyTheSecondHead() {
        let distillation = loss(.soft)
        var classHead = randomTensor([4, 3], seed: 36)
        var distillationHead = randomTensor([4, 3], seed: 37)
        let result = distillation.compute(logits: classHead, distillationLogits: distillationHead,
                                          teacherLogits: teacher, labels: labels)
        let total = { Double(distillation.compute(logits: classHead, distillationLogits: distillationHead,
                                                  teacherLogits: self.teacher, labels: self.labels).loss) }
        assertGradient("class head", analytic: result.dLogits.data, perturb: { classHead.data[$0] += $1 },
                       loss: total, samples: 12, epsilon: 1e-3)
        assertGradient("distillation head", analytic: result.dDistillationLogits!.data,
                       perturb: { distillationHead.data[$0] += $1 }, loss: total, samples: 12, epsilon: 1e-3)
    }
}
