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
    private let schedule: LearningRateSchedule
    private let plan: EpochPlan

    public init(config: PretrainingConfig, images: LabeledImages, normalization: ChannelNormalization,
                step: @escaping Step) {
        self.config = config
        self.step = step
        let plan = EpochPlan(images: images, batchSize: config.batchSize, augmentation: config.augmentation,
                             normalization: normalization, seed: config.seed, learningRate: config.learningRate,
                             minimumLearningRate: config.minimumLearningRate, warmupEpochs: config.warmupEpochs,
                             epochs: config.epochs)
        self.plan = plan
        loader = plan.loader
        schedule = plan.schedule
    }

    /// Trains every epoch; `afterEpoch` runs after each (to save a checkpoint).
    /// Log rows carry the reconstruction loss as train_loss; the accuracies do not apply (NaN).
    /// A step with a non-finite loss throws `NonFiniteError` at once.
    public func run(afterEpoch: (Pretrainer) throws -> Void = { _ in }) throws {
        let perEpoch = loader.batchesPerEpoch
        var pixels = Tensor(zeros: [0])
        var labels: [Int32] = []  // filled by the loader, never read
        let runStart = Date()
        for epoch in 0..<config.epochs {
            let epochStart = Date()
            var lossSum = 0.0, seen = 0
            var rate: Float = 0
            let reportEvery = max(1, perEpoch / 10)
            for (index, batch) in loader.epoch(epoch).enumerated() {
                let globalStep = epoch * perEpoch + index
                loader.makeBatch(indices: batch, epoch: epoch, into: &pixels, labels: &labels)
                rate = schedule.rate(atStep: globalStep)
                let loss = step(pixels, rate, plan.dropoutSeed(step: globalStep))
                guard loss.isFinite else {
                    throw NonFiniteError.step(epoch: epoch + 1, step: index + 1, loss: loss, gradientNorm: .nan)
                }
                lossSum += Double(loss) * Double(batch.count)
                seen += batch.count
                if (index + 1) % reportEvery == 0 || index + 1 == perEpoch {
                    let elapsed = Date().timeIntervalSince(runStart)
                    let done = Double(globalStep + 1), remaining = Double(config.epochs * perEpoch) - done
                    let speed = Double(seen) / Date().timeIntervalSince(epochStart)
                    progress(String(format: "epoch %d/%d step %d/%d loss %.4f lr %.2e %.0f img/s",
                                    epoch + 1, config.epochs, index + 1, perEpoch, lossSum / Double(seen), rate, speed)
                             + " left " + formatDuration(elapsed / done * remaining))
                }
            }
            logs.append(EpochLog(epoch: epoch + 1, trainLoss: lossSum / Double(max(seen, 1)), trainAccuracy: .nan,
                                 testAccuracy: .nan, learningRate: Double(rate),
                                 seconds: Date().timeIntervalSince(epochStart)))
            progress(String(format: "epoch %d/%d done: reconstruction loss %.4f (%.0f s, %.0f img/s)",
                            epoch + 1, config.epochs, logs.last!.trainLoss, logs.last!.seconds,
                            Double(seen) / logs.last!.seconds))
            try afterEpoch(self)
        }
    }
}
