import ViTCore

extension Checkpoint {
    /// The head biases a post-hoc logit adjustment is folded into: the class head's, and the
    /// distillation head's when there is one (inference averages the two heads, so shifting both
    /// by the same offsets shifts their mean by exactly those offsets).
    public static let adjustableBiases = ["head.bias", "head_dist.bias"]

    /// Adds `offsets` [K] to the head biases, so that the saved model's logits become z + offsets
    /// (post-hoc logit adjustment: offsets = -tau log prior). With `keepLearned` the biases as
    /// trained are kept under /optimizer/unadjusted.<name>, for --resume to train on from.
    public mutating func foldLogitOffsets(_ offsets: [Float], keepLearned: Bool) {
        for name in Self.adjustableBiases {
            guard let learned = weights[name]?.tensor else { continue }
            precondition(learned.count == offsets.count, "foldLogitOffsets: \(learned.count) classes, \(offsets.count) offsets")
            if keepLearned { optimizer["unadjusted." + name] = StoredArray(learned) }
            var folded = learned
            for c in 0..<folded.count { folded.data[c] += offsets[c] }
            weights[name] = StoredArray(folded)
        }
    }
}
