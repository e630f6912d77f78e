/// The targets of a batch mixed by Mixup or CutMix: sample b is lambda parts `labels[b]` and
/// 1 - lambda parts `partners[b]`, the label of the sample it was mixed with (timm's batch mode
/// pairs the batch with its reverse, so partners is labels reversed).
public struct MixedTargets: Equatable, Sendable {
    public var labels: [Int32]
    public var partners: [Int32]
    /// The weight of `labels`; for CutMix, the fraction of the image outside the pasted box.
    public var lambda: Float

    public init(labels: [Int32], partners: [Int32], lambda: Float) {
        precondition(labels.count == partners.count,
                     "MixedTargets: \(labels.count) labels but \(partners.count) partners")
        (self.labels, self.partners, self.lambda) = (labels, partners, lambda)
    }

    /// [B, K] target probabilities: (1 - smoothing) * (lambda * onehot(label) + (1 - lambda) *
    /// onehot(partner)) + smoothing / K, timm's mixup_target.
    public func probabilities(classes: Int, smoothing: Float) -> Tensor {
        let off = smoothing / Float(classes), on = 1 - smoothing
        var targets = Tensor(repeating: off, shape: [labels.count, classes])
        for b in labels.indices {
            precondition((0..<classes).contains(Int(labels[b])) && (0..<classes).contains(Int(partners[b])),
                         "MixedTargets: sample \(b) has labels \(labels[b]), \(partners[b]) outside 0..<\(classes)")
            targets.data[b * classes + Int(labels[b])] += on * lambda
            targets.data[b * classes + Int(partners[b])] += on * (1 - lambda)
        }
        return targets
    }
}
