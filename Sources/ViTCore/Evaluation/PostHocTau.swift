import Foundation

/// Mean over classes of the fraction of each class's rows predicted right (classes absent
/// from `labels` are skipped): the long-tailed benchmark's measure on a balanced test set.
public func balancedAccuracy(_ logits: Tensor, labels: [Int32]) -> Double {
    let classes = logits.shape[1]
    var seen = [Int](repeating: 0, count: classes), right = [Int](repeating: 0, count: classes)
    for (row, predicted) in predictions(logits).enumerated() {
        let label = Int(labels[row])
        seen[label] += 1
        if predicted == label { right[label] += 1 }
    }
    let present = (0..<classes).filter { seen[$0] > 0 }
    return present.isEmpty ? 0 : present.reduce(0) { $0 + Double(right[$1]) / Double(seen[$1]) } / Double(present.count)
}

/// Mean over classes of each class's mean -log softmax probability of its label (classes absent
/// from `labels` are skipped): the balanced test set's log loss, estimated on a long-tailed sample.
public func balancedLogLoss(_ logits: Tensor, labels: [Int32]) -> Double {
    let classes = logits.shape[1]
    var seen = [Int](repeating: 0, count: classes), loss = [Double](repeating: 0, count: classes)
    for row in 0..<logits.shape[0] {
        let z = (0..<classes).map { Double(logits.data[row * classes + $0]) }
        let top = z.max()!
        let logSum = top + log(z.reduce(0) { $0 + exp($1 - top) })
        let label = Int(labels[row])
        seen[label] += 1
        loss[label] += logSum - z[label]
    }
    let present = (0..<classes).filter { seen[$0] > 0 }
    return present.isEmpty ? 0 : present.reduce(0) { $0 + loss[$1] / Double(seen[$1]) } / Double(present.count)
}

/// How the post-hoc tau is chosen on the validation split.
/// - logLoss: the lowest balanced log loss. Smooth in tau, so a few images per tail class (R = 100
///   leaves 5 of class 9 in a 10% split) move it little.
/// - accuracy: the highest balanced accuracy, a step function: one tail image is 2 points of it,
///   which measured on the student picked tau -0.25 on noise (validation 57.8% against 55.0% at
///   tau 0) and cost 1.8 points on the test set (reports/distill.md).
public enum PostHocCriterion: String, Codable, CaseIterable, Sendable {
    case logLoss = "log-loss", accuracy

    /// The taus tried: every 0.05 for the smooth criterion, every 0.25 for accuracy, from -1 to 2.
    public var grid: [Float] { self == .logLoss ? (-20...40).map { Float($0) * 0.05 } : postHocTauGrid }
}

/// -1, -0.75, ..., 2: the post-hoc taus worth trying by accuracy. Menon et al. find the best near 1 for a model
/// trained with plain cross-entropy; a model trained with balanced softmax that over-corrects
/// (favours the tail) needs a negative one, which gives back part of the prior.
public let postHocTauGrid: [Float] = (-4...8).map { Float($0) * 0.25 }

/// The tau of `grid` whose adjusted logits z - tau * log prior score best on validation logits
/// [B, K] by `criterion`; ties go to the tau nearest 0 (the smaller change). Run on a validation
/// split of the training set, never on the test set.
public func choosePostHocTau(validationLogits: Tensor, labels: [Int32], logPrior: [Float],
                             grid: [Float]? = nil, criterion: PostHocCriterion = .logLoss)
    -> (tau: Float, balancedAccuracy: Double, balancedLogLoss: Double) {
    let candidates = grid ?? criterion.grid
    precondition(!candidates.isEmpty, "choosePostHocTau: an empty grid")
    var best: (tau: Float, balancedAccuracy: Double, balancedLogLoss: Double)?
    for tau in candidates.sorted(by: { (abs($0), $0) < (abs($1), $1) }) {
        let adjusted = adjustLogits(validationLogits, logPrior: logPrior, tau: tau)
        let scored = (tau: tau, balancedAccuracy: balancedAccuracy(adjusted, labels: labels),
                      balancedLogLoss: balancedLogLoss(adjusted, labels: labels))
        guard let current = best else { best = scored; continue }
        let better = criterion == .logLoss ? scored.balancedLogLoss < current.balancedLogLoss
                                           : scored.balancedAccuracy > current.balancedAccuracy
        if better { best = scored }
    }
    return best!
}
