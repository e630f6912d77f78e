extension ClassificationLoss {
    /// The part of a global batch's loss weight that `rows` carry (data parallel): the loss is
    /// sum_i w_i l_i / sum_i w_i, so a process whose own mean is over its rows contributes
    /// (its sum of w) / (the batch's sum of w) of the global gradient. The weights depend on the
    /// targets alone, which every process holds for the whole batch. OHEM's depend on every
    /// row's loss: `DataParallelCheck` refuses it.
    public func share(of rows: BatchRows, targets: MixedTargets, epoch: Int) -> Float {
        guard let weights = lossClassWeights(epoch: epoch).map(targets.sampleWeights) else {
            return Float(rows.count) / Float(rows.total)
        }
        return Float(weights[rows.range].reduce(0, +) / weights.reduce(0, +))
    }
}
