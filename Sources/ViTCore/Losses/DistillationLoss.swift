import Foundation

// Distillation losses on student logits s: [B, K], teacher logits t: [B, K], (mixed) targets y.
//   soft (Hinton et al. 2015): (1 - a) * label(s, y) + a * T^2 * KL(softmax(t/T) || softmax(s/T))
//                              dKL/ds_i = (softmax(s_i/T) - softmax(t_i/T)) / (T * B)
//   hard (DeiT):               1/2 * label(s, y) + 1/2 * CE(s, argmax t)
//   none:                      label(s, y)
// "label" is the classification loss with its remedy (weighted CE, balanced softmax, DRW, ...).
// With a distillation token the teacher term goes to the second head d instead of s.
// The teacher sees the student's (mixed) images, so argmax t is the teacher's label of the mix.
// drwDistillation (DeiT-LT, Rangwani et al. 2024): in the DRW phase the teacher term is a
// weighted mean too, hard by the DRW weight of the teacher's label, soft by that of the targets.
// adjustedDistillation: in the label loss's adjusted phase (balanced softmax, logit-adjusted
// loss) the soft term compares s + tau log prior with t + tau log prior, as the label term
// compares s + tau log prior with y. On long-tailed images a student that matches a balanced
// teacher's plain softmax learns the training prior wherever it is unsure (its mean prediction
// over the images must match the teacher's, which follows the images' classes); inside the
// adjusted softmax the prior is accounted for, and s itself stays balanced.
// balancedDistillation: from the label loss's adjusted phase the teacher term is a class-balanced
// weighted mean (the effective-number weights DRW uses, by the targets as drwDistillation does).
// Why: the soft term's gradient on the head bias is the mean of softmax(s/T) - softmax(t/T) over
// the batch, so at rest the student's mean prediction equals the teacher's over long-tailed images.
// A student less sure than the teacher can only meet that mean by leaning to the head classes.
// Weighted by class, the images count as a balanced set, over which the teacher's mean is balanced.

public enum DistillationKind: String, Codable, CaseIterable, Sendable { case soft, hard, none }

public struct DistillationSettings: Codable, Equatable, Sendable {
    public var kind = DistillationKind.soft
    public var temperature: Float = 4
    public var alpha: Float = 0.9
    public var distillationToken = false
    public var teacher = ""
    public var teacherSHA256 = ""
    /// Re-weight the teacher term with the label loss's DRW weights once DRW starts.
    public var drwDistillation = false
    /// The soft term on logit-adjusted logits in the label loss's adjusted phase.
    public var adjustedDistillation = false
    /// Class-balanced weights on the teacher term from the label loss's adjust epoch.
    public var balancedDistillation = false

    enum CodingKeys: String, CodingKey {
        case kind, temperature, alpha, distillationToken = "dist_token", teacher, teacherSHA256 = "teacher_sha256"
        case drwDistillation = "drw_distillation", adjustedDistillation = "adjusted_distillation"
        case balancedDistillation = "balanced_distillation"
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(DistillationKind.self, forKey: .kind)
        temperature = try container.decode(Float.self, forKey: .temperature)
        alpha = try container.decode(Float.self, forKey: .alpha)
        distillationToken = try container.decode(Bool.self, forKey: .distillationToken)
        teacher = try container.decode(String.self, forKey: .teacher)
        teacherSHA256 = try container.decode(String.self, forKey: .teacherSHA256)
        // Added after the first checkpoints were written: absent there, and off.
        drwDistillation = try container.decodeIfPresent(Bool.self, forKey: .drwDistillation) ?? false
        adjustedDistillation = try container.decodeIfPresent(Bool.self, forKey: .adjustedDistillation) ?? false
        balancedDistillation = try container.decodeIfPresent(Bool.self, forKey: .balancedDistillation) ?? false
    }
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
                        targets: MixedTargets, epoch: Int) -> DistillationResult {
        let labelResult = label.compute(logits: logits, targets: targets, epoch: epoch)
        // The head that learns from the teacher: the distillation head if the model has one.
        let student = distillationLogits ?? logits
        let drw = settings.drwDistillation ? label.deferredWeights(epoch: epoch)
            : settings.balancedDistillation ? label.adjustedPhaseWeights(epoch: epoch) : nil
        switch settings.kind {
        case .none:
            let second = distillationLogits.map { label.compute(logits: $0, targets: targets, epoch: epoch).dLogits }
            return DistillationResult(loss: labelResult.loss, distillationLoss: 0,
                                      dLogits: labelResult.dLogits, dDistillationLogits: second)
        case .soft:
            let a = settings.alpha, t = settings.temperature
            let adjust = { (z: Tensor) in settings.adjustedDistillation ? label.trainingLogits(z, epoch: epoch) : z }
            // The shift is the same for every row, so the gradient with respect to s is unchanged by it.
            let (kl, dKL) = softTargetDivergence(student: adjust(student), teacher: adjust(teacherLogits), temperature: t,
                                                 sampleWeights: drw.map(targets.sampleWeights))
            return combine(labelResult, labelWeight: 1 - a, teacherLoss: kl, dTeacher: dKL,
                           teacherWeight: a * t * t, hasToken: distillationLogits != nil)
        case .hard:
            let teacherTargets = MixedTargets(labels: predictions(teacherLogits).map { Int32($0) })
            let (perSample, residuals) = softCrossEntropy(
                student, targets: teacherTargets.probabilities(classes: student.shape[1], smoothing: 0))
            let weights = drw.map(teacherTargets.sampleWeights) ?? [Double](repeating: 1, count: perSample.count)
            let hard = weightedMean(perSample: perSample, residuals: residuals, weights: weights)
            return combine(labelResult, labelWeight: 0.5, teacherLoss: hard.loss, dTeacher: hard.dLogits,
                           teacherWeight: 0.5, hasToken: distillationLogits != nil)
        }
    }

    /// Unmixed labels at epoch 0 (for callers without mixing or phases).
    public func compute(logits: Tensor, distillationLogits: Tensor?, teacherLogits: Tensor,
                        labels: [Int32]) -> DistillationResult {
        compute(logits: logits, distillationLogits: distillationLogits, teacherLogits: teacherLogits,
                targets: MixedTargets(labels: labels), epoch: 0)
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

/// KL(softmax(t/T) || softmax(s/T)) averaged over the batch (weighted by `sampleWeights` when
/// given: sum_i w_i KL_i / sum_i w_i), and its gradient with respect to s.
public func softTargetDivergence(student: Tensor, teacher: Tensor, temperature: Float,
                                 sampleWeights: [Double]? = nil) -> (Float, Tensor) {
    let batch = student.shape[0], classes = student.shape[1], scale = 1 / Double(temperature)
    let weights = sampleWeights ?? [Double](repeating: 1, count: batch)
    let totalWeight = weights.reduce(0, +)
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
        let coefficient = weights[i] / totalWeight
        for c in 0..<classes {
            let p = exp(logP[c])
            total += coefficient * p * (logP[c] - logQ[c])
            gradient.data[i * classes + c] = Float((exp(logQ[c]) - p) * scale * coefficient)
        }
    }
    return (Float(total), gradient)
}
