import Foundation

// Distillation losses on student logits s: [B, K], teacher logits t: [B, K], labels y.
//   soft (Hinton et al. 2015): (1 - a) * label(s, y) + a * T^2 * KL(softmax(t/T) || softmax(s/T))
//                              dKL/ds_i = (softmax(s_i/T) - softmax(t_i/T)) / (T * B)
//   hard (DeiT):               1/2 * label(s, y) + 1/2 * CE(s, argmax t)
//   none:                      label(s, y)
// "label" is the classification loss with its remedy (weighted CE, balanced softmax, ...).
// With a distillation token the teacher term goes to the second head d instead of s.

public enum DistillationKind: String, Codable, CaseIterable, Sendable { case soft, hard, none }

public struct DistillationSettings: Codable, Equatable, Sendable {
    public var kind = DistillationKind.soft
    public var temperature: Float = 4
    public var alpha: Float = 0.9
    public var distillationToken = false
    public var teacher = ""
    public var teacherSHA256 = ""

    enum CodingKeys: String, CodingKey {
        case kind, temperature, alpha, distillationToken = "dist_token", teacher, teacherSHA256 = "teacher_sha256"
    }

    public init() {}
}

public struct DistillationResult {
    public var loss: Float
    /// The teacher term alone (KL or CE on the teacher's labels), for the log.
    public var distillationLoss: Float
    public var dLogits: Tensor
    public var dDistillationLogits: Tensor?
}

public struct DistillationLoss {
    public var settings: DistillationSettings
    public var label: ClassificationLoss

    public init(settings: DistillationSettings, label: ClassificationLoss) {
        self.settings = settings
        self.label = label
    }

    public func compute(logits: Tensor, distillationLogits: Tensor?, teacherLogits: Tensor,
                        labels: [Int32]) -> DistillationResult {
        let labelResult = label.compute(logits: logits, labels: labels)
        // The head that learns from the teacher: the distillation head if the model has one.
        let student = distillationLogits ?? logits
        switch settings.kind {
        case .none:
            let second = distillationLogits.map { label.compute(logits: $0, labels: labels).dLogits }
            return DistillationResult(loss: labelResult.loss, distillationLoss: 0,
                                      dLogits: labelResult.dLogits, dDistillationLogits: second)
        case .soft:
            let a = settings.alpha, t = settings.temperature
            let (kl, dKL) = softTargetDivergence(student: student, teacher: teacherLogits, temperature: t)
            return combine(labelResult, labelWeight: 1 - a, teacherLoss: kl, dTeacher: dKL,
                           teacherWeight: a * t * t, hasToken: distillationLogits != nil)
        case .hard:
            let teacherLabels = predictions(teacherLogits).map { Int32($0) }
            let hard = ClassificationLoss(kind: .ce).compute(logits: student, labels: teacherLabels)
            return combine(labelResult, labelWeight: 0.5, teacherLoss: hard.loss, dTeacher: hard.dLogits,
                           teacherWeight: 0.5, hasToken: distillationLogits != nil)
        }
    }

    private func combine(_ labelResult: LossResult, labelWeight: Float, teacherLoss: Float, dTeacher: Tensor,
                         teacherWeight: Float, hasToken: Bool) -> DistillationResult {
        var dLogits = labelResult.dLogits
        for i in 0..<dLogits.count { dLogits.data[i] *= labelWeight }
        var dFromTeacher = dTeacher
        for i in 0..<dFromTeacher.count { dFromTeacher.data[i] *= teacherWeight }
        if !hasToken {
            for i in 0..<dLogits.count { dLogits.data[i] += dFromTeacher.data[i] }
        }
        return DistillationResult(loss: labelWeight * labelResult.loss + teacherWeight * teacherLoss,
                                  distillationLoss: teacherLoss, dLogits: dLogits,
                                  dDistillationLogits: hasToken ? dFromTeacher : nil)
    }
}

/// KL(softmax(t/T) || softmax(s/T)) averaged over the batch, and its gradient with respect to s.
public func softTargetDivergence(student: Tensor, teacher: Tensor, temperature: Float) -> (Float, Tensor) {
    let batch = student.shape[0], classes = student.shape[1], scale = 1 / Double(temperature)
    var gradient = Tensor(zeros: student.shape)
    var total: Double = 0
    func logSoftmax(_ row: ArraySlice<Float>) -> [Double] {
        let scaled = row.map { Double($0) * scale }
        let maximum = scaled.max()!
        let logSum = log(scaled.reduce(0) { $0 + exp($1 - maximum) }) + maximum
        return scaled.map { $0 - logSum }
    }
    for i in 0..<batch {
        let range = (i * classes)..<((i + 1) * classes)
        let logP = logSoftmax(teacher.data[range]), logQ = logSoftmax(student.data[range])
        for c in 0..<classes {
            let p = exp(logP[c])
            total += p * (logP[c] - logQ[c])
            gradient.data[i * classes + c] = Float((exp(logQ[c]) - p) * scale / Double(batch))
        }
    }
    return (Float(total / Double(batch)), gradient)
}
