import Foundation

/// One row of the training log (stored as columns under /logs/).
public struct EpochLog: Equatable, Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testAccuracy: Double
    public var learningRate: Double
    public var seconds: Double
    /// Mean auxiliary loss of the epoch (distillation's teacher term), when the step reports one.
    public var auxiliaryLoss: Double?
    /// Accuracy on the run's balanced validation set after the epoch, when it has one.
    public var validationAccuracy: Double?

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testAccuracy: Double,
                learningRate: Double, seconds: Double, auxiliaryLoss: Double? = nil) {
        self.auxiliaryLoss = auxiliaryLoss
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testAccuracy = testAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }
}

/// What one step reports to `Trainer.stepObserver`: the global step (1-based, as TensorBoard
/// counts), the 0-based epoch, the batch's loss and accuracy, and the learning rate used.
public struct StepRecord: Equatable, Sendable {
    public var step: Int, epoch: Int
    public var loss: Double, accuracy: Double, learningRate: Double
}

/// One optimisation step on a batch: its images, its (possibly mixed) targets, the epoch
/// (0-based: deferred re-weighting and deferred logit adjustment depend on it), the learning
/// rate and the seed of its dropout. Returns what the loop logs.
public typealias StepFunction = (_ images: Tensor, _ targets: MixedTargets, _ epoch: Int, _ learningRate: Float,
                                 _ dropoutSeed: UInt64) -> StepResult

/// The epoch loop: batches, schedule, per-epoch evaluation on the test set, progress lines.
/// Everything random derives from (seed, epoch, step), so a run resumed after epoch e
/// continues exactly as the uninterrupted run would have.
public final class Trainer {
    public let model: VisionTransformer
    public let config: TrainingConfig
    public let loader: BatchLoader
    public let testImages: LabeledImages
    /// The balanced validation set, evaluated after every epoch (it is small); nil: none.
    public var validationImages: LabeledImages?
    public private(set) var logs: [EpochLog]
    public var progress: (String) -> Void = { print($0) }
    /// Sees every step's figures (for --tensorboard); the HDF5 log keeps the epochs only.
    public var stepObserver: ((StepRecord) throws -> Void)?
    /// Sees each epoch's log row and, when the epoch was evaluated, its evaluation.
    public var epochObserver: ((EpochLog, EvaluationResult?) throws -> Void)?
    /// The exponential moving average of the weights (--ema): updated after every step, it is
    /// what evaluation sees; the raw weights keep training.
    public let average: WeightAverage?

    private let step: StepFunction
    private let schedule: LearningRateSchedule
    private let plan: EpochPlan

    public init(model: VisionTransformer, config: TrainingConfig, training: LabeledImages,
                test: LabeledImages, logs: [EpochLog] = [], average: WeightAverage? = nil,
                step: @escaping StepFunction) {
        self.average = average
        self.model = model
        self.config = config
        self.testImages = test
        self.logs = logs
        self.step = step
        let plan = EpochPlan(images: training, schedule: config.schedule,
                             normalization: ChannelNormalization(mean: model.config.mean, std: model.config.std),
                             settings: config.augmentationSettings ?? .none)
        self.plan = plan
        loader = plan.loader
        schedule = plan.schedule
    }

    /// Trains the epochs not yet in `logs`, up to `stopAfter` of them if given (the schedule
    /// still spans all epochs); `afterEpoch` runs after each (to save a checkpoint).
    /// A step with a non-finite loss or gradient norm throws `NonFiniteError` at once.
    /// Under data parallelism every process runs this with the same settings and data; each step
    /// takes the whole batch and trains on the process's rows (see `TrainingStep.run`).
    public func run(stopAfter: Int? = nil, afterEpoch: (Trainer) throws -> Void = { _ in }) throws {
        try DataParallelCheck.check(model: model.config, batchSize: loader.batchSize, loss: config.loss)
        let loop = EpochLoop(plan: plan, epochs: config.epochs, firstEpoch: logs.count, runStart: Date(),
                             lossOnly: false)
        RunInterruption.watch()
        defer { RunInterruption.release() }
        for epoch in logs.count..<min(config.epochs, stopAfter ?? config.epochs) {
            let totals = try loop.run(epoch: epoch, progress: progress) { images, targets, rate, dropoutSeed, globalStep in
                let result = step(images, targets, epoch, rate, dropoutSeed)
                guard result.loss.isFinite && result.gradientNorm.isFinite else { return result }  // the loop throws
                average?.update(model.parametersAndBuffers)
                try stepObserver?(StepRecord(step: globalStep + 1, epoch: epoch, loss: Double(result.loss),
                                             accuracy: Double(result.correct) / Double(max(images.shape[0], 1)),
                                             learningRate: Double(rate)))
                return result
            }
            // Evaluated every --eval-every epochs and always at the end; NaN in the log otherwise.
            let evaluates = (epoch + 1) % config.evaluateEvery == 0 || epoch + 1 == config.epochs
            let trainedSeconds = Date().timeIntervalSince(totals.start), evaluationStart = Date()
            let evaluation = evaluates ? try evaluateAveraged() : nil
            let evaluationSeconds = Date().timeIntervalSince(evaluationStart)
            let validation = try validationImages.map { try evaluateAveraged(on: $0) }
            let accuracy = evaluation?.accuracy ?? .nan
            var row = EpochLog(epoch: epoch + 1, trainLoss: totals.meanLoss, trainAccuracy: totals.accuracy,
                               testAccuracy: accuracy, learningRate: Double(totals.learningRate),
                               seconds: Date().timeIntervalSince(totals.start), auxiliaryLoss: totals.meanAuxiliary)
            row.validationAccuracy = validation?.accuracy
            logs.append(row)
            try epochObserver?(logs.last!, evaluation)
            var tested = evaluates ? String(format: "test acc %.2f%%", 100 * accuracy) : "not evaluated"
            if let validation {
                tested = String(format: "val acc %.2f%% (head %.1f / medium %.1f / tail %.1f), ", 100 * validation.accuracy,
                                100 * validation.head, 100 * validation.medium, 100 * validation.tail)
                    + tested
            }
            // Where the epoch's time went: the steps, making the batches between them, the evaluation.
            progress(String(format: "epoch %d/%d done: train loss %.4f, train acc %.1f%%, %@ (%.0f s: steps %.0f s, batches %.1f s%@)",
                            epoch + 1, config.epochs, logs.last!.trainLoss, 100 * logs.last!.trainAccuracy,
                            tested, logs.last!.seconds, totals.stepSeconds, trainedSeconds - totals.stepSeconds,
                            evaluates ? String(format: ", evaluation %.0f s", evaluationSeconds) : "")
                     + totals.parallelSummary)
            try afterEpoch(self)
        }
    }
}

extension Trainer {
    /// The test-set evaluation of the model as it is saved: its weight average when there is one.
    public func evaluateAveraged() throws -> EvaluationResult {
        try evaluateAveraged(on: testImages)
    }

    /// The same on other images (the balanced validation set).
    public func evaluateAveraged(on images: LabeledImages) throws -> EvaluationResult {
        guard let average else { return try evaluate(model, on: images, precision: config.precision) }
        return try average.withAverage(model.parametersAndBuffers) {
            try evaluate(model, on: images, precision: config.precision)
        }
    }
}

/// "1h02m", "12m30s", "45s"
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let total = Int(seconds.rounded())
    if total >= 3600 { return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) }
    if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
    return "\(total)s"
}
