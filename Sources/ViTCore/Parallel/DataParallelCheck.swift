/// What a run over several processes cannot do, refused in one line before the first step
/// rather than trained into something that differs from the one-process run.
public enum DataParallelCheck {
    /// `loss` nil: a run without a classification loss (pre-training).
    public static func check(model: ModelConfig?, batchSize: Int, loss: LossKind?,
                             ranks: Int = DataParallel.group.size) throws {
        guard ranks > 1 else { return }
        if model?.norm == .batch {
            throw ConfigError(message: "--norm batch normalises with each batch's statistics, which differ between "
                              + "\(ranks) processes: train it on one process (without mpirun)")
        }
        if loss == .ohem {
            throw ConfigError(message: "--loss ohem keeps the hardest rows of the whole batch, which no process sees "
                              + "alone: train it on one process (without mpirun)")
        }
        if batchSize < ranks {
            throw ConfigError(message: "--batch-size \(batchSize) is smaller than the \(ranks) processes: "
                              + "each needs at least one image per step")
        }
    }
}
