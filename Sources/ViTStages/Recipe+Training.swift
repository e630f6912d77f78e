import ViTCore

extension Recipe.Values {
    /// These values where they are given, else `base`'s: flags (self) over a recipe (base).
    public func overriding(_ base: Recipe.Values) -> Recipe.Values {
        var merged = self
        merged.description = description ?? base.description
        merged.preset = preset ?? base.preset
        merged.imbalanceRatio = imbalanceRatio ?? base.imbalanceRatio
        merged.epochs = epochs ?? base.epochs
        merged.batchSize = batchSize ?? base.batchSize
        merged.lr = lr ?? base.lr
        merged.minLr = minLr ?? base.minLr
        merged.weightDecay = weightDecay ?? base.weightDecay
        merged.warmupEpochs = warmupEpochs ?? base.warmupEpochs
        merged.labelSmoothing = labelSmoothing ?? base.labelSmoothing
        merged.clipNorm = clipNorm ?? base.clipNorm
        merged.loss = loss ?? base.loss
        merged.logitTau = logitTau ?? base.logitTau
        merged.adjustFromEpoch = adjustFromEpoch ?? base.adjustFromEpoch
        merged.drwEpoch = drwEpoch ?? base.drwEpoch
        merged.drwBeta = drwBeta ?? base.drwBeta
        merged.ema = ema ?? base.ema
        merged.evalEvery = evalEvery ?? base.evalEvery
        merged.validationFraction = validationFraction ?? base.validationFraction
        merged.validationPerClass = validationPerClass ?? base.validationPerClass
        merged.policy = policy ?? base.policy
        merged.randomErasing = randomErasing ?? base.randomErasing
        merged.mixup = mixup ?? base.mixup
        merged.cutmix = cutmix ?? base.cutmix
        merged.mixOffEpoch = mixOffEpoch ?? base.mixOffEpoch
        merged.ohemRatio = ohemRatio ?? base.ohemRatio
        merged.architecture = architecture.overriding(base.architecture)
        return merged
    }

    /// The settings of a new run: these values over the training commands' defaults (30 epochs,
    /// batch 128, AdamW at 1e-3 with weight decay 0.05 and 5 warm-up epochs, cross-entropy with
    /// label smoothing 0.1, no augmentation policy). Epoch shares resolve against the run's epochs.
    /// The precision is left to the stage.
    public func trainingConfig(seed: UInt64, data: DataSource, recipe: RecipeReference?) throws -> TrainingConfig {
        var config = TrainingConfig()
        config.epochs = epochs ?? 30
        config.batchSize = batchSize ?? 128
        config.learningRate = lr ?? 1e-3
        config.minimumLearningRate = minLr ?? 0
        config.weightDecay = weightDecay ?? 0.05
        config.warmupEpochs = warmupEpochs ?? 5
        config.labelSmoothing = labelSmoothing ?? 0.1
        config.clipNorm = clipNorm ?? 1
        config.loss = loss ?? .ce
        config.ohemRatio = ohemRatio ?? 0.5
        config.logitAdjustmentTau = logitTau ?? 1
        config.adjustFromEpoch = adjustFromEpoch?.resolved(epochs: config.epochs) ?? 0
        config.drwEpoch = drwEpoch?.resolved(epochs: config.epochs)
        config.drwBeta = drwBeta ?? 0.9999
        config.emaDecay = ema ?? 0
        config.evaluateEvery = evalEvery ?? 1
        config.validationFraction = validationFraction ?? 0
        config.validationPerClass = validationPerClass ?? 0
        config.validationSeed = seed
        let settings = AugmentationSettings(policy: policy ?? .none, randomErasing: randomErasing ?? 0, mixup: mixup ?? 0,
                                            cutmix: cutmix ?? 0,
                                            mixOffEpoch: mixOffEpoch?.resolved(epochs: config.epochs))
        config.augmentationSettings = settings == .none ? nil : settings
        config.seed = seed
        config.augmentation = data.augmentation
        config.imbalanceRatio = imbalanceRatio ?? data.imbalanceRatio
        config.recipe = recipe
        do { try config.validate() } catch { throw ConfigError(message: "\(error)") }
        return config
    }
}
