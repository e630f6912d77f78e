/// What a training loop draws from its seed: shuffled, augmented, drop-last batches, and the
/// learning rate (linear warm-up, then cosine over every step). Trainer and Pretrainer share it,
/// so a supervised and a self-supervised run of the same settings see the same batches.
struct EpochPlan {
    let loader: BatchLoader
    let schedule: LearningRateSchedule
    let seed: UInt64

    init(images: LabeledImages, schedule run: TrainingSchedule, normalization: ChannelNormalization,
         settings: AugmentationSettings = .none) {
        loader = BatchLoader(images: images, batchSize: min(run.batchSize, images.count), augmentation: run.augmentation,
                             normalization: normalization, shuffle: true, dropLast: true, seed: run.seed,
                             settings: settings)
        let perEpoch = loader.batchesPerEpoch
        schedule = LearningRateSchedule(peak: run.learningRate, minimum: run.minimumLearningRate,
                                        warmupSteps: run.warmupEpochs * perEpoch, totalSteps: run.epochs * perEpoch)
        seed = run.seed
    }

    /// The dropout seed of a step: a function of (seed, step) alone, so a resumed run repeats it.
    func dropoutSeed(step: Int) -> UInt64 { seed &* 0x9E37_79B9 &+ UInt64(step) }
}
