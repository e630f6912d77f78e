/// A batch's targets after Mixup/CutMix: image i is lambda parts `labels[i]` and 1 - lambda parts
/// `partners[i]` (one lambda per batch, as in timm). An unmixed batch is lambda 1, partners = labels.
public struct MixedTargets: Equatable, Sendable {
    public var labels: [Int32]
    public var partners: [Int32]
    /// The weight of `labels`; `partners` get 1 - lambda.
    public var lambda: Float

    public init(labels: [Int32], partners: [Int32], lambda: Float) {
        precondition(labels.count == partners.count,
                     "MixedTargets: \(labels.count) labels but \(partners.count) partners")
        self.labels = labels
        self.partners = partners
        self.lambda = lambda
    }

    public init(labels: [Int32]) {
        self.init(labels: labels, partners: labels, lambda: 1)
    }

    public var count: Int { labels.count }

    /// The label that carries the larger share of each image (for training accuracy).
    public var dominantLabels: [Int32] { lambda >= 0.5 ? labels : partners }

    /// q: [B, K] = (1 - eps) * (lambda onehot(labels) + (1 - lambda) onehot(partners)) + eps / K
    public func probabilities(classes: Int, smoothing: Float) -> Tensor {
        var q = Tensor(repeating: smoothing / Float(classes), shape: [count, classes])
        for i in 0..<count {
            q.data[i * classes + Int(labels[i])] += (1 - smoothing) * lambda
            q.data[i * classes + Int(partners[i])] += (1 - smoothing) * (1 - lambda)
        }
        return q
    }

    /// lambda * w[label] + (1 - lambda) * w[partner]: a class weight for each mixed image.
    public func sampleWeights(_ classWeights: [Double]) -> [Double] {
        let l = Double(lambda)
        return (0..<count).map { l * classWeights[Int(labels[$0])] + (1 - l) * classWeights[Int(partners[$0])] }
    }
}
