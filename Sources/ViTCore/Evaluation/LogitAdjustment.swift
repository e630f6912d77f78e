import Foundation

// Logit adjustment (Menon et al. 2021). A model trained with plain cross-entropy on a
// long-tailed set learns roughly log p(y|x) = log p_bal(y|x) + log prior(y); subtracting
// tau * log prior at inference removes the training prior. Training-time adjustment
// (the logit-adjusted loss) adds it instead, so the raw logits need no correction.

/// log(n_c / sum n): [K]. A class with no images counts as one there, keeping the log finite.
public func logPrior(classCounts: [Int]) -> [Float] {
    let total = Double(classCounts.reduce(0, +))
    return classCounts.map { Float(log(Double(max($0, 1)) / total)) }
}

/// z - tau * logPrior for logits z: [B, K].
public func adjustLogits(_ logits: Tensor, logPrior: [Float], tau: Float) -> Tensor {
    let classes = logits.shape[1]
    precondition(logPrior.count == classes, "adjustLogits: \(classes) classes but a prior of \(logPrior.count)")
    var adjusted = logits
    for i in 0..<logits.shape[0] {
        for c in 0..<classes { adjusted.data[i * classes + c] -= tau * logPrior[c] }
    }
    return adjusted
}
