/// One optimisation step of a student against a frozen teacher. The teacher runs forward
/// only (no caches, no gradients, BatchNorm on its running statistics, which stay as they are)
/// on the same augmented batch the student sees.
public struct DistillationStep {
    public var loss: DistillationLoss
    public var precision: Precision
    public var clipNorm: Float

    public init(loss: DistillationLoss, precision: Precision, clipNorm: Float) {
        self.loss = loss
        self.precision = precision
        self.clipNorm = clipNorm
    }

    /// The teacher sees exactly the student's (mixed) images, so its hard labels are of the mix.
    /// `images` and `targets` are the global batch; under data parallelism this process trains
    /// on its rows and the gradients are reduced (see `TrainingStep.run`). The rows' share is
    /// the label loss's, which is exact when the teacher term weighs rows as the label term does
    /// (always, except DRW on the teacher's hard labels, whose weights follow its predictions).
    public func run(student: VisionTransformer, teacher: VisionTransformer?, optimizer: AdamW, images: Tensor,
                    targets: MixedTargets, epoch: Int, learningRate: Float, dropoutSeed: UInt64) -> StepResult {
        let rows = DataParallel.rows(of: images.shape[0])
        let share = rows.isAll ? 1 : loss.label.share(of: rows, targets: targets, epoch: epoch)
        let (images, targets) = (rows.slice(images), rows.slice(targets))
        let teacherLogits = teacher.map { $0.forward(images, precision: precision).logits }
            ?? Tensor(zeros: [targets.count, student.config.numClasses])
        student.zeroGradients()
        let output = student.forward(images, precision: precision, keepCache: true, dropoutSeed: dropoutSeed,
                                     rows: rows)
        student.updateRunningStatistics(output.cache!)
        let result = loss.compute(logits: output.logits, distillationLogits: output.distillationLogits,
                                  teacherLogits: teacherLogits, targets: targets, epoch: epoch)
        student.backward(dLogits: result.dLogits, dDistillationLogits: result.dDistillationLogits,
                         cache: output.cache!, precision: precision)
        let trained = loss.label.trainingLogits(output.logits, epoch: epoch)
        var figures = [result.loss, result.distillationLoss, Float(countCorrect(trained, targets.dominantLabels))]
        if !rows.isAll {
            figures = DataParallel.group.averageGradients(student.parameters, share: share,
                                                          figures: [share * figures[0], share * figures[1], figures[2]])
        }
        let norm = clipGradientNorm(student.parameters, maximumNorm: clipNorm)
        optimizer.update(student.parameters, learningRate: learningRate)
        return StepResult(loss: figures[0], correct: Int(figures[2].rounded()), gradientNorm: norm,
                          auxiliaryLoss: figures[1])
    }

    /// Unmixed labels at epoch 0 (for callers without mixing or loss phases).
    public func run(student: VisionTransformer, teacher: VisionTransformer?, optimizer: AdamW, images: Tensor,
                    labels: [Int32], learningRate: Float, dropoutSeed: UInt64) -> StepResult {
        run(student: student, teacher: teacher, optimizer: optimizer, images: images,
            targets: MixedTargets(labels: labels), epoch: 0, learningRate: learningRate, dropoutSeed: dropoutSeed)
    }
}
