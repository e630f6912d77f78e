import Foundation

// Classification losses on logits z: [B, K] with (possibly mixed) targets q: [B, K],
// q_i = (1 - eps) * (lambda onehot(y_i) + (1 - lambda) onehot(y'_i)) + eps / K (MixedTargets).
//   l_i = -sum_c q_ic log softmax(z~_i)_c, loss = sum_i w_i l_i / sum_i w_i
//   ce:               w_i = 1
//   weighted-ce:      w_i = lambda v_{y_i} + (1 - lambda) v_{y'_i}, v_c proportional to 1 / n_c, mean 1
//   ohem:             w_i = 1 for the largest floor(ratio * B) l_i (at least one), else 0
//   balanced-softmax: z~ = z + log(prior) (Ren et al. 2020)
//   logit-adjusted:   z~ = z + tau * log(prior) (Menon et al. 2021); tau 1 is balanced softmax
// Two epoch-dependent phases, epochs counted from 0 as in Trainer:
//   adjustFromEpoch: before it z~ = z (plain CE first, then the adjusted loss: deferred adjustment)
//   drwEpoch:        from it w_i is also multiplied by the effective-number class weights
//                    (LDAM-DRW, Cao et al. 2019), mixed like weighted-ce's.
// The weighted mean (not a mean over B) is PyTorch's cross_entropy(weight=) reduction, which
// LDAM-DRW uses. Gradient: dz_i = (w_i / sum w) * (softmax(z~_i) - q_i).

public enum LossKind: String, Codable, CaseIterable, Sendable {
    case ce
    case weightedCE = "weighted-ce"
    case ohem
    case balancedSoftmax = "balanced-softmax"
    case logitAdjusted = "logit-adjusted"
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
    /// Training-set images per class; needed by weighted-ce, the prior-adjusted kinds and DRW.
    public var classCounts: [Int]
    /// tau of logit-adjusted (balanced-softmax always uses 1).
    public var logitAdjustmentTau: Float
    /// The first epoch whose logits get the prior; 0 adjusts from the start.
    public var adjustFromEpoch: Int
    /// The first epoch of deferred re-weighting; nil: never.
    public var drwEpoch: Int?
    public var drwBeta: Double

    public init(kind: LossKind, labelSmoothing: Float = 0, ohemRatio: Float = 0.5, classCounts: [Int] = [],
                logitAdjustmentTau: Float = 1, adjustFromEpoch: Int = 0, drwEpoch: Int? = nil,
                drwBeta: Double = 0.9999) {
        self.kind = kind
        self.labelSmoothing = labelSmoothing
        self.ohemRatio = ohemRatio
        self.classCounts = classCounts
        self.logitAdjustmentTau = logitAdjustmentTau
        self.adjustFromEpoch = adjustFromEpoch
        self.drwEpoch = drwEpoch
        self.drwBeta = drwBeta
    }

    /// w_c proportional to 1 / n_c, normalised to mean 1 over classes.
    public var classWeights: [Double] {
        let inverse = classCounts.map { 1 / Double(max($0, 1)) }
        let mean = inverse.reduce(0, +) / Double(inverse.count)
        return inverse.map { $0 / mean }
    }

    /// The multiple of log(prior) added to the logits at `epoch`; 0 when none is.
    public func adjustmentTau(epoch: Int) -> Float {
        guard epoch >= adjustFromEpoch else { return 0 }
        switch kind {
        case .balancedSoftmax: return 1
        case .logitAdjusted: return logitAdjustmentTau
        case .ce, .weightedCE, .ohem: return 0
        }
    }

    /// DRW's class weights at `epoch`, nil before drwEpoch (every weight 1).
    public func deferredWeights(epoch: Int) -> [Double]? {
        guard let drwEpoch, epoch >= drwEpoch else { return nil }
        return classBalancedWeights
    }

    /// The effective-number weights of the class counts (DRW's, and balanced distillation's).
    private var classBalancedWeights: [Double] {
        precondition(!classCounts.isEmpty, "class-balanced weights need the class counts")
        return effectiveNumberWeights(classCounts: classCounts, beta: drwBeta)
    }

    /// The effective-number class weights while the logits carry the prior (balanced softmax,
    /// logit-adjusted, from adjustFromEpoch), nil otherwise: balanced distillation's weights.
    public func adjustedPhaseWeights(epoch: Int) -> [Double]? {
        adjustmentTau(epoch: epoch) != 0 ? classBalancedWeights : nil
    }

    /// Every class weight in effect at `epoch` (weighted-ce's times DRW's), nil when all are 1.
    public func lossClassWeights(epoch: Int) -> [Double]? {
        let inverse = kind == .weightedCE ? classWeights : nil
        switch (inverse, deferredWeights(epoch: epoch)) {
        case let (a?, b?): return zip(a, b).map { $0 * $1 }
        case let (a, b): return a ?? b
        }
    }

    /// The logits the loss sees at `epoch`: with the prior-adjusted kinds, tau * log prior is
    /// added (the model's raw logits then estimate a balanced distribution, used at test time).
    public func trainingLogits(_ logits: Tensor, epoch: Int) -> Tensor {
        let tau = adjustmentTau(epoch: epoch)
        guard tau != 0 else { return logits }
        precondition(classCounts.count == logits.shape[1], "\(kind.rawValue) needs the class counts")
        return adjustLogits(logits, logPrior: logPrior(classCounts: classCounts), tau: -tau)
    }

    /// The logits at epoch 0 (for callers without phases).
    public func trainingLogits(_ logits: Tensor) -> Tensor { trainingLogits(logits, epoch: 0) }

    public func compute(logits: Tensor, targets: MixedTargets, epoch: Int) -> LossResult {
        let batch = logits.shape[0], classes = logits.shape[1]
        precondition(targets.count == batch, "loss: \(batch) rows of logits but \(targets.count) targets")
        let q = targets.probabilities(classes: classes, smoothing: labelSmoothing)
        let (perSample, residuals) = softCrossEntropy(trainingLogits(logits, epoch: epoch), targets: q)
        var weights = lossClassWeights(epoch: epoch).map(targets.sampleWeights)
            ?? [Double](repeating: 1, count: batch)
        if kind == .ohem {
            let kept = Set(perSample.indices.sorted { perSample[$0] > perSample[$1] }
                .prefix(max(1, Int(ohemRatio * Float(batch)))))
            for i in 0..<batch where !kept.contains(i) { weights[i] = 0 }
        }
        return weightedMean(perSample: perSample, residuals: residuals, weights: weights)
    }

    /// Unmixed labels at epoch 0 (for callers without mixing or phases).
    public func compute(logits: Tensor, labels: [Int32]) -> LossResult {
        compute(logits: logits, targets: MixedTargets(labels: labels), epoch: 0)
    }
}

/// sum_i w_i l_i / sum_i w_i and dz_i = (w_i / sum w) * residual_i.
func weightedMean(perSample: [Float], residuals: Tensor, weights: [Double]) -> LossResult {
    let classes = residuals.shape[1]
    let total = weights.reduce(0, +)
    var loss: Double = 0
    var dLogits = Tensor(zeros: residuals.shape)
    for i in 0..<perSample.count where weights[i] != 0 {
        let coefficient = weights[i] / total
        loss += coefficient * Double(perSample[i])
        for c in 0..<classes {
            dLogits.data[i * classes + c] = Float(coefficient) * residuals.data[i * classes + c]
        }
    }
    return LossResult(loss: Float(loss), dLogits: dLogits, perSample: perSample)
}

/// Per-sample cross-entropy -sum_c q_c log softmax(z)_c against target rows q: [B, K] (each
/// summing to 1), and softmax(z) - q for each row.
public func softCrossEntropy(_ logits: Tensor, targets: Tensor) -> ([Float], Tensor) {
    precondition(logits.shape == targets.shape, "soft cross-entropy: logits \(logits.shape), targets \(targets.shape)")
    let batch = logits.shape[0], classes = logits.shape[1]
    var residuals = Tensor(zeros: logits.shape)
    var losses = [Float](repeating: 0, count: batch)
    for i in 0..<batch {
        let row = Array(logits.data[(i * classes)..<((i + 1) * classes)]).map(Double.init)
        let maximum = row.max()!
        let logSum = log(row.reduce(0) { $0 + exp($1 - maximum) }) + maximum
        var loss: Double = 0
        for c in 0..<classes {
            let target = Double(targets.data[i * classes + c])
            let logProbability = row[c] - logSum
            loss -= target * logProbability
            residuals.data[i * classes + c] = Float(exp(logProbability) - target)
        }
        losses[i] = Float(loss)
    }
    return (losses, residuals)
}

/// Per-sample label-smoothed cross-entropy and softmax(z) - q for each row.
public func smoothedCrossEntropy(_ logits: Tensor, labels: [Int32], smoothing: Float) -> ([Float], Tensor) {
    softCrossEntropy(logits, targets: MixedTargets(labels: labels).probabilities(classes: logits.shape[1],
                                                                               smoothing: smoothing))
}
