import Foundation

/// The pre-training epoch loop: shuffled, augmented batches of the training images, the
/// learning-rate schedule, progress lines and one log row per epoch. No labels, no test set.
/// Everything random derives from (seed, epoch, step), as in `Trainer`.
public final class Pretrainer {
    public let config: PretrainingConfig
    public let loader: BatchLoader
    public private(set) var logs: [EpochLog] = []
    public var progress: (String) -> Void = { print($0) }

    /// (normalised images, learning rate, seed for dropout and masking) -> the batch's loss.
    public typealias Step = (_ images: Tensor, _ learningRate: Float, _ seed: UInt64) -> Float

    private let step: Step
    /// The architecture, for what data parallelism refuses (--norm batch); nil: not checked.
    private let modelConfig: ModelConfig?
    private let schedule: LearningRateSchedule
    private let plan: EpochPlan

    public init(config: PretrainingConfig, images: LabeledImages, normalization: ChannelNormalization,
                model: ModelConfig? = nil, step: @escaping Step) {
        self.config = config
        self.modelConfig = model
        self.step = step
        let plan = EpochPlan(images: images, schedule: config.schedule, normalization: normalization)
        self.plan = plan
        loader = plan.loader
        schedule = plan.schedule
    }

    /// Trains every epoch; `afterEpoch` runs after each (to save a checkpoint).
    /// Log rows carry the reconstruction loss as train_loss; the accuracies do not apply (NaN).
    /// A step with a non-finite loss throws `NonFiniteError` at once.
    public func run(afterEpoch: (Pretrainer) throws -> Void = { _ in }) throws {
        try DataParallelCheck.check(model: modelConfig, batchSize: loader.batchSize, loss: nil)
        let loop = EpochLoop(plan: plan, epochs: config.epochs, firstEpoch: 0, runStart: Date(), lossOnly: true)
        RunInterruption.watch()
        defer { RunInterruption.release() }
        for epoch in 0..<config.epochs {
            let totals = try loop.run(epoch: epoch, progress: progress) { images, _, rate, seed, _ in
                StepResult(loss: step(images, rate, seed), correct: 0, gradientNorm: .nan)
            }
            logs.append(EpochLog(epoch: epoch + 1, trainLoss: totals.meanLoss, trainAccuracy: .nan, testAccuracy: .nan,
                                 learningRate: Double(totals.learningRate), seconds: Date().timeIntervalSince(totals.start)))
            progress(String(format: "epoch %d/%d done: reconstruction loss %.4f (%.0f s, %.0f img/s)",
                            epoch + 1, config.epochs, logs.last!.trainLoss, logs.last!.seconds,
                            Double(totals.seen) / logs.last!.seconds) + totals.parallelSummary)
            try afterEpoch(self)
        }
    }
}
