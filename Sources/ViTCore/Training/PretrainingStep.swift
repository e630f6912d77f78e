/// One pre-training step: mask (optionally), reconstruct, score, backward, clip, AdamW.
/// The loss target is the batch itself, brought back to [-1, 1]; labels are never read.
public struct PretrainingStep {
    public var maskRatio: Float
    public var normalization: ChannelNormalization
    public var precision: Precision
    public var clipNorm: Float

    public init(maskRatio: Float, normalization: ChannelNormalization, precision: Precision, clipNorm: Float) {
        self.maskRatio = maskRatio
        self.normalization = normalization
        self.precision = precision
        self.clipNorm = clipNorm
    }

    /// Returns the reconstruction loss (mean squared error in [-1, 1] pixel units).
    /// `images` is the global batch; under data parallelism this process trains on its rows, with
    /// their part of the whole batch's masks, and the gradients are reduced (see `TrainingStep.run`).
    /// Every image counts the same number of values, so a process's share is its rows' count.
    public func run(model: PretrainingModel, optimizer: AdamW, images: Tensor, learningRate: Float,
                    seed: UInt64) -> Float {
        var generator = SeededGenerator(seed: seed)
        let dropoutSeed = generator.next()
        let rows = DataParallel.rows(of: images.shape[0])
        let masking = model.masking(batch: images.shape[0], ratio: maskRatio, seed: generator.next())?.slice(rows)
        let images = rows.slice(images)
        model.zeroGradients()
        let (reconstruction, cache) = model.forward(images, masking: masking, precision: precision, keepCache: true,
                                                    dropoutSeed: dropoutSeed, rows: rows)
        model.encoder.updateRunningStatistics(cache!.encoder)
        let target = ReconstructionLoss.target(fromNormalized: images, normalization: normalization)
        let (meanLoss, dReconstruction) = ReconstructionLoss.compute(reconstruction: reconstruction, target: target,
                                                                 counted: masking?.masked,
                                                                 patchSize: model.encoder.config.patchSize)
        model.backward(dReconstruction, cache: cache!, precision: precision)
        var loss = meanLoss
        if !rows.isAll {
            let share = Float(rows.count) / Float(rows.total)
            loss = DataParallel.group.averageGradients(model.trainableParameters, share: share,
                                                       figures: [share * loss])[0]
        }
        clipGradientNorm(model.trainableParameters, maximumNorm: clipNorm)
        optimizer.update(model.trainableParameters, learningRate: learningRate)
        return loss
    }
}
