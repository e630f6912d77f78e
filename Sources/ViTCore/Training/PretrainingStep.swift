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
    public func run(model: PretrainingModel, optimizer: AdamW, images: Tensor, learningRate: Float,
                    seed: UInt64) -> Float {
        var generator = SeededGenerator(seed: seed)
        let dropoutSeed = generator.next()
        let masking = model.masking(batch: images.shape[0], ratio: maskRatio, seed: generator.next())
        model.zeroGradients()
        let (reconstruction, cache) = model.forward(images, masking: masking, precision: precision, keepCache: true,
                                                    dropoutSeed: dropoutSeed)
        model.encoder.updateRunningStatistics(cache!.encoder)
        let target = ReconstructionLoss.target(fromNormalized: images, normalization: normalization)
        let (loss, dReconstruction) = ReconstructionLoss.compute(reconstruction: reconstruction, target: target,
                                                                 counted: masking?.masked,
                                                                 patchSize: model.encoder.config.patchSize)
        model.backward(dReconstruction, cache: cache!, precision: precision)
        clipGradientNorm(model.trainableParameters, maximumNorm: clipNorm)
        optimizer.update(model.trainableParameters, learningRate: learningRate)
        return loss
    }
}
