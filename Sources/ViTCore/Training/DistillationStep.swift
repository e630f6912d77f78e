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
    public func run(student: VisionTransformer, teacher: VisionTransformer?, optimizer: AdamW, images: Tensor,
                    targets: MixedTargets, epoch: Int, learningRate: Float, dropoutSeed: UInt64) -> StepResult {
        let teacherLogits = teacher.map { $0.forward(images, precision: precision).logits }
            ?? Tensor(zeros: [targets.count, student.config.numClasses])
        student.zeroGradients()
        let output = student.forward(images, precision: precision, keepCache: true, dropoutSeed: dropoutSeed)
        student.updateRunningStatistics(output.cache!)
        let result = loss.compute(logits: output.logits, distillationLogits: output.distillationLogits,
                                  teacherLogits: teacherLogits, targets: targets, epoch: epoch)
        student.backward(dLogits: result.dLogits, dDistillationLogits: result.dDistillationLogits,
                         cache: output.cache!, precision: precision)
        let norm = clipGradientNorm(student.parameters, maximumNorm: clipNorm)
        optimizer.update(student.parameters, learningRate: learningRate)
        let trained = loss.label.trainingLogits(output.logits, epoch: epoch)
        return StepResult(loss: result.loss, correct: countCorrect(trained, targets.dominantLabels),
                          gradientNorm: norm, auxiliaryLoss: result.distillationLoss)
    }

    /// Unmixed labels at epoch 0 (for callers without mixing or loss phases).
    public func run(student: VisionTransformer, teacher: VisionTransformer?, optimizer: AdamW, images: Tensor,
                    labels: [Int32], learningRate: Float, dropoutSeed: UInt64) -> StepResult {
        run(student: student, teacher: teacher, optimizer: optimizer, images: images,
            targets: MixedTargets(labels: labels), epoch: 0, learningRate: learningRate, dropoutSeed: dropoutSeed)
    }
}
