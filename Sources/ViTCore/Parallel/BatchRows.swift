/// Which rows of a step's global batch this process holds: `range` of `total`. Everything
/// random per row (dropout, drop-path, patch masks) is drawn for all `total` rows in order and
/// then sliced, so a row gets the same draw on any number of processes, and one process (which
/// holds every row) draws exactly as before data parallelism existed.
public struct BatchRows: Equatable, Sendable {
    public var range: Range<Int>
    public var total: Int

    public init(range: Range<Int>, total: Int) {
        precondition(range.lowerBound >= 0 && range.upperBound <= total,
                     "BatchRows: \(range) is not inside 0..<\(total)")
        self.range = range
        self.total = total
    }

    public static func all(_ total: Int) -> BatchRows { BatchRows(range: 0..<total, total: total) }

    /// Contiguous shares whose sizes differ by at most one; a rank may hold none when the batch
    /// is smaller than the number of ranks.
    public static func share(of total: Int, rank: Int, ranks: Int) -> BatchRows {
        BatchRows(range: total * rank / ranks ..< total * (rank + 1) / ranks, total: total)
    }

    public var count: Int { range.count }
    public var isAll: Bool { range.count == total }

    /// Draws `perRow` values per row for all rows from `generator` and returns this share's:
    /// [count * perRow]. The rows before and after are drawn and dropped, which keeps the
    /// generator where the whole batch's draw would leave it.
    public func draw<Value>(perRow: Int, generator: inout SeededGenerator,
                            _ next: (inout SeededGenerator) -> Value) -> [Value] {
        for _ in 0..<(range.lowerBound * perRow) { _ = next(&generator) }
        var values = [Value]()
        values.reserveCapacity(count * perRow)
        for _ in 0..<(count * perRow) { values.append(next(&generator)) }
        for _ in 0..<((total - range.upperBound) * perRow) { _ = next(&generator) }
        return values
    }

    /// This share's rows of `t` [total, ...].
    public func slice(_ t: Tensor) -> Tensor {
        guard !isAll else { return t }
        precondition(t.shape.first == total, "BatchRows: a batch of \(total) rows, got shape \(t.shape)")
        let perRow = total == 0 ? 0 : t.count / total
        return Tensor(shape: [count] + t.shape.dropFirst(),
                      data: Array(t.data[range.lowerBound * perRow ..< range.upperBound * perRow]))
    }

    public func slice(_ targets: MixedTargets) -> MixedTargets {
        guard !isAll else { return targets }
        return MixedTargets(labels: Array(targets.labels[range]), partners: Array(targets.partners[range]),
                            lambda: targets.lambda)
    }
}
