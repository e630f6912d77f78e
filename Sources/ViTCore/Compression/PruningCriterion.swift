/// What pruning ranks weights by: a score per weight, the larger the more important. Unstructured
/// pruning removes the lowest-scored weights; structured pruning removes the heads or neurons
/// whose weights' scores have the smallest L2 norm. A new criterion is one type with `scores`.
public protocol PruningCriterion {
    /// Recorded in the pruning settings of the file (`criterion`).
    var kind: PruningCriterionKind { get }
    /// One non-negative score per weight of `parameter`, in its layout.
    func scores(_ parameter: Parameter) -> Tensor
}

public enum PruningCriterionKind: String, CaseIterable, Codable, Sendable {
    /// |w|: the classic criterion (Han et al. 2015), needs nothing but the weights.
    case magnitude
    /// |g w| over calibration batches: the loss change a first-order Taylor expansion predicts
    /// for removing the weight (Molchanov et al. 2019).
    case taylor
}

/// |w|, the criterion of `MagnitudePruning` and the L2-norm ranking of `StructuredPruning`.
public struct MagnitudeCriterion: PruningCriterion {
    public init() {}
    public var kind: PruningCriterionKind { .magnitude }

    public func scores(_ parameter: Parameter) -> Tensor {
        var scores = parameter.value
        scores.data.withUnsafeMutableBufferPointer { s in
            for i in s.indices { s[i] = abs(s[i]) }
        }
        return scores
    }
}
