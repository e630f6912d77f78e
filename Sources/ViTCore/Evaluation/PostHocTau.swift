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

/// -1, -0.75, ..., 2: the post-hoc taus worth trying. Menon et al. find the best near 1 for a model
/// trained with plain cross-entropy; a model trained with balanced softmax that over-corrects
/// (favours the tail) needs a negative one, which gives back part of the prior.
public let postHocTauGrid: [Float] = (-4...8).map { Float($0) * 0.25 }

/// The tau of `grid` whose adjusted logits z - tau * log prior score the highest balanced
/// accuracy on validation logits [B, K]; ties go to the tau nearest 0 (the smaller change).
/// Run on a validation split of the training set, never on the test set.
public func choosePostHocTau(validationLogits: Tensor, labels: [Int32], logPrior: [Float],
                             grid: [Float] = postHocTauGrid) -> (tau: Float, balancedAccuracy: Double) {
    precondition(!grid.isEmpty, "choosePostHocTau: an empty grid")
    var best = (tau: grid[0], balancedAccuracy: -1.0)
    for tau in grid.sorted(by: { (abs($0), $0) < (abs($1), $1) }) {
        let score = balancedAccuracy(adjustLogits(validationLogits, logPrior: logPrior, tau: tau), labels: labels)
        if score > best.balancedAccuracy { best = (tau, score) }
    }
    return best
}
