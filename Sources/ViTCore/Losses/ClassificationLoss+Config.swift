extension ClassificationLoss {
    /// The label loss a training configuration asks for, on a training set with `classCounts`.
    public init(config: TrainingConfig, classCounts: [Int]) {
        self.init(kind: config.loss, labelSmoothing: config.labelSmoothing, ohemRatio: config.ohemRatio,
                  classCounts: classCounts, logitAdjustmentTau: config.logitAdjustmentTau,
                  adjustFromEpoch: config.adjustFromEpoch, drwEpoch: config.drwEpoch, drwBeta: config.drwBeta)
    }
}
