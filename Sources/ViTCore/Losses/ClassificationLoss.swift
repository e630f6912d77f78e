import Foundation

// Classification losses on logits z: [B, K] with labels y: [B].
//   ce:               l_i = -sum_c q_ic log softmax(z_i)_c, q = (1 - eps) onehot(y_i) + eps / K
//   weighted-ce:      sum_i w_{y_i} l_i / sum_i w_{y_i}, w_c proportional to 1 / n_c with mean 1
//   ohem:             mean of the largest floor(ratio * B) l_i (at least one)
//   balanced-softmax: l_i computed on z_i + log(prior) (training only; Ren et al. 2020)
// Gradient: dz_i = coefficient_i * (softmax(z_i) - q_i), coefficient from the reduction.

public enum LossKind: String, Codable, CaseIterable, Sendable {
    case ce
    case weightedCE = "weighted-ce"
    case ohem
    case balancedSoftmax = "balanced-softmax"
}

public struct LossResult {
    public var loss: Float
    public var dLogits: Tensor
    /// Per-sample losses before the reduction (for logs and tests).
    public var perSample: [Float]
}

public struct ClassificationLoss {
    public var kind: LossKind
    public var labelSmoothing: Float
    public var ohemRatio: Float
    /// Training-set images per class; needed by weighted-ce and balanced-softmax.
    public var classCounts: [Int]

    public init(kind: LossKind, labelSmoothing: Float = 0, ohemRatio: Float = 0.5, classCounts: [Int] = []) {
        self.kind = kind
        self.labelSmoothing = labelSmoothing
        self.ohemRatio = ohemRatio
        self.classCounts = classCounts
    }

    /// w_c proportional to 1 / n_c, normalised to mean 1 over classes.
    public var classWeights: [Double] {
        let inverse = classCounts.map { 1 / Double(max($0, 1)) }
        let mean = inverse.reduce(0, +) / Double(inverse.count)
        return inverse.map { $0 / mean }
    }

    /// The logits the loss sees: with balanced softmax, the training-set log prior is added
    /// (the model's raw logits then estimate a balanced distribution, used at test time).
    public func trainingLogits(_ logits: Tensor) -> Tensor {
        guard kind == .balancedSoftmax else { return logits }
        let batch = logits.shape[0], classes = logits.shape[1]
        precondition(classCounts.count == classes, "balanced softmax needs the class counts")
        let total = Double(classCounts.reduce(0, +))
        let logPrior = classCounts.map { Float(log(Double(max($0, 1)) / total)) }
        var adjusted = logits
        for i in 0..<batch { for c in 0..<classes { adjusted.data[i * classes + c] += logPrior[c] } }
        return adjusted
    }

    public func compute(logits: Tensor, labels: [Int32]) -> LossResult {
        let batch = logits.shape[0], classes = logits.shape[1]
        let adjusted = trainingLogits(logits)
        let (perSample, residuals) = smoothedCrossEntropy(adjusted, labels: labels, smoothing: labelSmoothing)
        var coefficients = [Double](repeating: 1 / Double(batch), count: batch)
        switch kind {
        case .ce, .balancedSoftmax:
            break
        case .weightedCE:
            let weights = classWeights
            let total = labels.reduce(0.0) { $0 + weights[Int($1)] }
            coefficients = labels.map { weights[Int($0)] / total }
        case .ohem:
            let kept = max(1, Int(ohemRatio * Float(batch)))
            let hardest = perSample.indices.sorted { perSample[$0] > perSample[$1] }.prefix(kept)
            coefficients = [Double](repeating: 0, count: batch)
            for i in hardest { coefficients[i] = 1 / Double(kept) }
        }
        var loss: Double = 0
        var dLogits = Tensor(zeros: logits.shape)
        for i in 0..<batch where coefficients[i] != 0 {
            loss += coefficients[i] * Double(perSample[i])
            for c in 0..<classes {
                dLogits.data[i * classes + c] = Float(coefficients[i]) * residuals.data[i * classes + c]
            }
        }
        return LossResult(loss: Float(loss), dLogits: dLogits, perSample: perSample)
    }
}

/// Per-sample label-smoothed cross-entropy and softmax(z) - q for each row.
public func smoothedCrossEntropy(_ logits: Tensor, labels: [Int32], smoothing: Float) -> ([Float], Tensor) {
    let batch = logits.shape[0], classes = logits.shape[1]
    var residuals = Tensor(zeros: logits.shape)
    var losses = [Float](repeating: 0, count: batch)
    let offTarget = Double(smoothing) / Double(classes)
    for i in 0..<batch {
        let row = Array(logits.data[(i * classes)..<((i + 1) * classes)]).map(Double.init)
        let maximum = row.max()!
        let logSum = log(row.reduce(0) { $0 + exp($1 - maximum) }) + maximum
        var loss: Double = 0
        for c in 0..<classes {
            let target = offTarget + (c == Int(labels[i]) ? 1 - Double(smoothing) : 0)
            let logProbability = row[c] - logSum
            loss -= target * logProbability
            residuals.data[i * classes + c] = Float(exp(logProbability) - target)
        }
        losses[i] = Float(loss)
    }
    return (losses, residuals)
}
