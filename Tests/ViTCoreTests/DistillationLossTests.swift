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

    // Mixed targets, a long-tailed prior, DRW from epoch 1 with the teacher term re-weighted.
    private let mixed = MixedTargets(labels: [0, 2, 1, 1], partners: [2, 2, 0, 1], lambda: 0.6)
    private let counts = [50, 20, 5]

    private func reweighting(_ kind: DistillationKind, drwDistillation: Bool = true) -> DistillationLoss {
        var settings = DistillationSettings()
        settings.kind = kind
        settings.alpha = 0.7
        settings.temperature = 3
        settings.drwDistillation = drwDistillation
        let label = ClassificationLoss(kind: .logitAdjusted, labelSmoothing: 0.1, classCounts: counts,
                                       drwEpoch: 1, drwBeta: 0.99)
        return DistillationLoss(settings: settings, label: label)
    }

    private func row(_ tensor: Tensor, _ i: Int) -> Tensor {
        Tensor(shape: [1, 3], data: Array(tensor.data[(i * 3)..<(i * 3 + 3)]))
    }

    func testMixedTargetsAndTheEpochReachTheLabelTerm() {
        let student = randomTensor([4, 3], seed: 38)
        let distillation = reweighting(.soft)
        for epoch in [0, 1] {
            let label = distillation.label.compute(logits: student, targets: mixed, epoch: epoch)
            let result = distillation.compute(logits: student, distillationLogits: nil, teacherLogits: teacher,
                                              targets: mixed, epoch: epoch)
            XCTAssertEqual(result.loss, 0.3 * label.loss + 0.7 * 9 * result.distillationLoss, accuracy: 1e-5)
        }
    }

    func testInTheReweightingPhaseTheHardTermWeighsEachImageByItsTeacherLabel() {
        let student = randomTensor([4, 3], seed: 39)
        let teacherLabels = predictions(teacher)
        let perSample = (0..<4).map {
            ClassificationLoss(kind: .ce).compute(logits: row(student, $0), labels: [Int32(teacherLabels[$0])]).loss
        }
        let w = effectiveNumberWeights(classCounts: counts, beta: 0.99)
        let weighted = (0..<4).reduce(0.0) { $0 + w[teacherLabels[$1]] * Double(perSample[$1]) }
            / teacherLabels.reduce(0.0) { $0 + w[$1] }
        let plain = Double(perSample.reduce(0, +)) / 4
        func teacherTerm(_ loss: DistillationLoss, epoch: Int) -> Float {
            loss.compute(logits: student, distillationLogits: nil, teacherLogits: teacher, targets: mixed,
                         epoch: epoch).distillationLoss
        }
        XCTAssertEqual(teacherTerm(reweighting(.hard), epoch: 0), Float(plain), accuracy: 1e-5)
        XCTAssertEqual(teacherTerm(reweighting(.hard), epoch: 1), Float(weighted), accuracy: 1e-5)
        XCTAssertEqual(teacherTerm(reweighting(.hard, drwDistillation: false), epoch: 1), Float(plain), accuracy: 1e-5)
    }

    func testInTheReweightingPhaseTheSoftTermWeighsEachImageByItsMixedTargets() {
        let student = randomTensor([4, 3], seed: 40)
        let perSample = (0..<4).map {
            Double(softTargetDivergence(student: row(student, $0), teacher: row(teacher, $0), temperature: 3).0)
        }
        let w = mixed.sampleWeights(effectiveNumberWeights(classCounts: counts, beta: 0.99))
        let expected = zip(w, perSample).reduce(0.0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
        let result = reweighting(.soft).compute(logits: student, distillationLogits: nil, teacherLogits: teacher,
                                                targets: mixed, epoch: 1)
        XCTAssertEqual(result.distillationLoss, Float(expected), accuracy: 1e-6)
    }

    func testGradientsWithMixingAndReweightingMatchFiniteDifferences() {
        for kind in DistillationKind.allCases {
            let distillation = reweighting(kind)
            var classHead = randomTensor([4, 3], seed: 41)
            var distillationHead = randomTensor([4, 3], seed: 42)
            let total = { Double(distillation.compute(logits: classHead, distillationLogits: distillationHead,
                                                      teacherLogits: self.teacher, targets: self.mixed,
                                                      epoch: 1).loss) }
            let result = distillation.compute(logits: classHead, distillationLogits: distillationHead,
                                              teacherLogits: teacher, targets: mixed, epoch: 1)
            assertGradient("\(kind) class head", analytic: result.dLogits.data,
                           perturb: { classHead.data[$0] += $1 }, loss: total, samples: 12, epsilon: 1e-3)
            if kind != .none {
                assertGradient("\(kind) distillation head", analytic: result.dDistillationLogits!.data,
                               perturb: { distillationHead.data[$0] += $1 }, loss: total, samples: 12, epsilon: 1e-3)
            }
        }
    }

    func testAdjustedDistillationComparesLogitAdjustedLogitsOnlyInTheAdjustedPhase() {
        // Balanced softmax from epoch 1: before it the soft term is Hinton's, from it both sides
        // carry + log prior; the gradient still matches finite differences.
        var settings = DistillationSettings()
        (settings.kind, settings.alpha, settings.temperature, settings.adjustedDistillation) = (.soft, 0.8, 2, true)
        let classCounts = [90, 9, 1]
        let label = ClassificationLoss(kind: .balancedSoftmax, classCounts: classCounts, adjustFromEpoch: 1)
        let distillation = DistillationLoss(settings: settings, label: label)
        var student = randomTensor([4, 3], seed: 43)
        let prior = logPrior(classCounts: classCounts)
        let shifted = { (z: Tensor) -> Tensor in adjustLogits(z, logPrior: prior, tau: -1) }  // z + log prior
        let before = distillation.compute(logits: student, distillationLogits: nil, teacherLogits: teacher,
                                          targets: MixedTargets(labels: labels), epoch: 0)
        XCTAssertEqual(before.distillationLoss, softTargetDivergence(student: student, teacher: teacher, temperature: 2).0,
                       accuracy: 1e-6)
        let after = distillation.compute(logits: student, distillationLogits: nil, teacherLogits: teacher,
                                         targets: MixedTargets(labels: labels), epoch: 1)
        let expected = softTargetDivergence(student: shifted(student), teacher: shifted(teacher), temperature: 2).0
        XCTAssertEqual(after.distillationLoss, expected, accuracy: 1e-6)
        XCTAssertNotEqual(after.distillationLoss, before.distillationLoss)
        let total = { Double(distillation.compute(logits: student, distillationLogits: nil, teacherLogits: self.teacher,
                                                  targets: MixedTargets(labels: self.labels), epoch: 1).loss) }
        assertGradient("adjusted soft", analytic: after.dLogits.data, perturb: { student.data[$0] += $1 },
                       loss: total, samples: 12, epsilon: 1e-3)
    }

    func testBalancedDistillationWeighsTheSoftTermByClassOnlyInTheAdjustedPhase() {
        var settings = DistillationSettings()
        (settings.kind, settings.alpha, settings.temperature, settings.balancedDistillation) = (.soft, 0.7, 3, true)
        let label = ClassificationLoss(kind: .balancedSoftmax, classCounts: counts, adjustFromEpoch: 1, drwBeta: 0.99)
        let distillation = DistillationLoss(settings: settings, label: label)
        var student = randomTensor([4, 3], seed: 44)
        let perSample = (0..<4).map {
            Double(softTargetDivergence(student: row(student, $0), teacher: row(teacher, $0), temperature: 3).0)
        }
        // Hand-computed effective-number weights (1 - 0.99) / (1 - 0.99^n), normalised to sum to 3 classes.
        let raw = counts.map { 0.01 / (1 - pow(0.99, Double($0))) }
        let w = mixed.sampleWeights(raw.map { $0 * 3 / raw.reduce(0, +) })
        let weighted = zip(w, perSample).reduce(0.0) { $0 + $1.0 * $1.1 } / w.reduce(0, +)
        let plain = perSample.reduce(0, +) / 4
        func teacherTerm(epoch: Int) -> Float {
            distillation.compute(logits: student, distillationLogits: nil, teacherLogits: teacher, targets: mixed,
                                 epoch: epoch).distillationLoss
        }
        XCTAssertEqual(teacherTerm(epoch: 0), Float(plain), accuracy: 1e-6, "cross-entropy phase: a plain mean")
        XCTAssertEqual(teacherTerm(epoch: 1), Float(weighted), accuracy: 1e-6)
        XCTAssertNotEqual(weighted, plain, accuracy: 1e-3)
        let total = { Double(distillation.compute(logits: student, distillationLogits: nil, teacherLogits: self.teacher,
                                                  targets: self.mixed, epoch: 1).loss) }
        let result = distillation.compute(logits: student, distillationLogits: nil, teacherLogits: teacher,
                                          targets: mixed, epoch: 1)
        assertGradient("balanced soft", analytic: result.dLogits.data, perturb: { student.data[$0] += $1 },
                       loss: total, samples: 12, epsilon: 1e-3)
    }

    func testSettingsStoredBeforeReweightedDistillationStillDecode() throws {
        let old = #"{"kind":"hard","temperature":1,"alpha":0.5,"dist_token":true,"teacher":"t.h5","teacher_sha256":"ab"}"#
        let settings = try JSONDecoder().decode(DistillationSettings.self, from: Data(old.utf8))
        XCTAssertEqual(settings.kind, .hard)
        XCTAssertTrue(settings.distillationToken)
        XCTAssertFalse(settings.drwDistillation)
        XCTAssertFalse(settings.adjustedDistillation, "added later still: absent, and off")
        XCTAssertFalse(settings.balancedDistillation)
        var reweighted = settings
        reweighted.drwDistillation = true
        let again = try JSONDecoder().decode(DistillationSettings.self, from: JSONEncoder().encode(reweighted))
        XCTAssertEqual(again, reweighted)
    }
}
