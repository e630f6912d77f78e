/// One optimisation step: forward with caches, loss, backward, clipping, AdamW.
public struct StepResult {
    public var loss: Float
    public var correct: Int
    public var gradientNorm: Float
    /// A second loss worth logging (distillation's teacher term), nil when there is none.
    public var auxiliaryLoss: Float?

    public init(loss: Float, correct: Int, gradientNorm: Float, auxiliaryLoss: Float? = nil) {
        self.loss = loss
        self.correct = correct
        self.gradientNorm = gradientNorm
        self.auxiliaryLoss = auxiliaryLoss
    }
}

public struct TrainingStep {
    public var loss: ClassificationLoss
    public var precision: Precision
    public var clipNorm: Float

    public init(loss: ClassificationLoss, precision: Precision, clipNorm: Float) {
        self.loss = loss
        self.precision = precision
        self.clipNorm = clipNorm
    }

    /// One step on `images` with (possibly mixed) targets; `epoch` (from 0) selects the loss's
    /// phases (deferred logit adjustment, DRW). `learningRateScale` lets some parameters train slower.
    /// `images` and `targets` are the global batch: under data parallelism (`DataParallel.group`)
    /// this process trains on its rows, and the gradients and figures are reduced over the group
    /// before clipping, so every process takes the same step as one process would on the batch.
    public func run(model: VisionTransformer, optimizer: AdamW, images: Tensor, targets: MixedTargets, epoch: Int,
                    learningRate: Float, dropoutSeed: UInt64,
                    learningRateScale: (Parameter) -> Float = { _ in 1 }) -> StepResult {
        let rows = DataParallel.rows(of: images.shape[0])
        let share = rows.isAll ? 1 : loss.share(of: rows, targets: targets, epoch: epoch)
        let (images, targets) = (rows.slice(images), rows.slice(targets))
        model.zeroGradients()
        let output = model.forward(images, precision: precision, keepCache: true, dropoutSeed: dropoutSeed, rows: rows)
        model.updateRunningStatistics(output.cache!)
        let result = loss.compute(logits: output.logits, targets: targets, epoch: epoch)
        // Without a teacher, the distillation head (if any) learns the labels too.
        let distillation = output.distillationLogits.map {
            loss.compute(logits: $0, targets: targets, epoch: epoch).dLogits
        }
        model.backward(dLogits: result.dLogits, dDistillationLogits: distillation, cache: output.cache!,
                       precision: precision)
        // Training accuracy on the logits the loss trains (with the prior added when it is), against
        // the label with the larger share of each mixed image.
        var figures = [result.loss, Float(countCorrect(loss.trainingLogits(output.logits, epoch: epoch),
                                                        targets.dominantLabels))]
        if !rows.isAll {
            figures = DataParallel.group.averageGradients(model.parameters, share: share,
                                                          figures: [share * figures[0], figures[1]])
        }
        let norm = clipGradientNorm(model.parameters, maximumNorm: clipNorm)
        optimizer.update(model.parameters, learningRate: learningRate, learningRateScale: learningRateScale)
        return StepResult(loss: figures[0], correct: Int(figures[1].rounded()), gradientNorm: norm)
    }

    /// Unmixed labels at epoch 0 (for callers without mixing or loss phases).
    public func run(model: VisionTransformer, optimizer: AdamW, images: Tensor, labels: [Int32],
                    learningRate: Float, dropoutSeed: UInt64,
                    learningRateScale: (Parameter) -> Float = { _ in 1 }) -> StepResult {
        run(model: model, optimizer: optimizer, images: images, targets: MixedTargets(labels: labels), epoch: 0,
            learningRate: learningRate, dropoutSeed: dropoutSeed, learningRateScale: learningRateScale)
    }
}

/// How many rows of logits [B, K] have their largest value at the label.
public func countCorrect(_ logits: Tensor, _ labels: [Int32]) -> Int {
    predictions(logits).enumerated().reduce(0) { $0 + ($1.element == Int(labels[$1.offset]) ? 1 : 0) }
}

/// The arg-max class of each row of logits [B, K].
public func predictions(_ logits: Tensor) -> [Int] {
    let classes = logits.shape[1]
    return (0..<logits.shape[0]).map { row in
        var best = 0
        for c in 1..<classes where logits.data[row * classes + c] > logits.data[row * classes + best] { best = c }
        return best
    }
}
