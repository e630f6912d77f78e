import ViTCore

/// The steps of `prune` for one level: the ranking, one-shot pruning, and fine-tuning with the
/// masks fixed or rising, with the training settings and optional teacher they share.
struct Pruner {
    let training: TrainingConfig
    let teacher: VisionTransformer?
    /// Kind, temperature and alpha of the fine-tuning's distillation loss, with `teacher`.
    let distillation: DistillationSettings?
    let tensorboard: String?

    /// One-shot pruning (unstructured, or a smaller model); gradual pruning happens while training.
    func pruneBeforeTraining(_ network: VisionTransformer, _ settings: PruningConfig,
                             criterion: PruningCriterion) throws -> VisionTransformer {
        switch (settings.structure.unit, settings.schedule) {
        case (nil, .gradual):
            return network
        case (nil, .oneshot):
            MagnitudePruning.prune(prunedMatrices(network, settings), sparsity: settings.sparsity, scope: settings.scope,
                                   criterion: criterion)
            return network
        case (let unit?, _):
            let importance = StructuredPruning.importance(of: network, unit: unit, criterion: criterion)
            let kept = StructuredPruning.keptUnits(importance: importance, sparsity: settings.sparsity,
                                                   scope: settings.scope)
            return try StructuredPruning.removing(unit, from: network, keeping: kept)
        }
    }

    /// The ranking the settings ask for; Taylor's gradients come from the label loss of the
    /// training settings on unaugmented training batches (the order seeded with the parent's seed).
    func makeCriterion(_ network: VisionTransformer, _ settings: PruningConfig, train: LabeledImages,
                       counts: [Int], seed: UInt64) throws -> PruningCriterion {
        guard settings.criterion == .taylor else { return MagnitudeCriterion() }
        let batches = settings.criterionBatches ?? 16
        print("Taylor criterion: gradients of \(training.loss.rawValue) on \(batches) batches of \(training.batchSize)")
        return TaylorCriterion.measure(network, on: train, batches: batches, batchSize: training.batchSize, seed: seed,
                                       loss: ClassificationLoss(config: training, classCounts: counts),
                                       precision: training.precision, parameters: prunedMatrices(network, settings))
    }

    /// The matrices the settings prune: their layers, or the ones whose heads or neurons go.
    func prunedMatrices(_ network: VisionTransformer, _ settings: PruningConfig) -> [Parameter] {
        switch settings.structure {
        case .unstructured: return MagnitudePruning.targets(in: network, layers: settings.layers)
        case .heads: return MagnitudePruning.targets(in: network, layers: [.qkv, .proj])
        case .neurons: return MagnitudePruning.targets(in: network, layers: [.fc1, .fc2])
        }
    }

    func count(_ parameters: [Parameter]) -> Int { parameters.reduce(0) { $0 + $1.count } }

    /// Trains with the masks fixed (one-shot) or rising (gradual); returns the epoch logs and the
    /// share of zeros in the pruned matrices after each epoch.
    func fineTune(_ network: VisionTransformer, targets: [Parameter], settings: PruningConfig,
                  config: TrainingConfig, train: LabeledImages, counts: [Int],
                  test: LabeledImages) throws -> ([EpochLog], [Double]) {
        let optimizer = AdamW(weightDecay: config.weightDecay)
        let step = fineTuningStep(network, optimizer: optimizer, config: config, counts: counts)
        // Set below, once the trainer knows how many steps an epoch has.
        var gradual: GradualPruning?
        let trainer = Trainer(model: network, config: config, training: train, test: test) {
            images, targets, epoch, rate, seed in
            gradual?.beforeStep()
            return step(images, targets, epoch, rate, seed)
        }
        if settings.schedule == .gradual {
            let steps = (settings.rampEpochs ?? settings.finetuneEpochs) * trainer.loader.batchesPerEpoch
            gradual = GradualPruning(parameters: targets,
                                     schedule: CubicSparsitySchedule(finalSparsity: settings.sparsity, steps: steps,
                                                                     interval: settings.pruneInterval),
                                     scope: settings.scope)
        }
        if let tensorboard, DataParallel.group.rank == 0 {
            try TensorBoardLog(directory: tensorboard).attach(to: trainer) {
                [("epoch/sparsity", SparsityReport(parameters: targets).total)]
            }
        }
        // Zeros counted in the weights, not the masks: the log shows that training revived none.
        var sparsityColumn: [Double] = []
        try trainer.run { _ in sparsityColumn.append(SparsityReport(parameters: targets).total) }
        // A weight masked mid-run keeps AdamW moments, so masking leaves -0 behind negative ones.
        if gradual != nil { MagnitudePruning.applyMasks(targets) }
        return (trainer.logs, sparsityColumn)
    }

    /// The fine-tuning step: vit-train's label loss, or with a teacher vit-distill's loss.
    private func fineTuningStep(_ network: VisionTransformer, optimizer: AdamW, config: TrainingConfig,
                                counts: [Int]) -> StepFunction {
        let label = ClassificationLoss(config: config, classCounts: counts)
        if let teacher {
            let step = DistillationStep(loss: DistillationLoss(settings: distillation ?? DistillationSettings(), label: label),
                                        precision: config.precision, clipNorm: config.clipNorm)
            return { images, targets, epoch, rate, seed in
                step.run(student: network, teacher: teacher, optimizer: optimizer, images: images, targets: targets,
                         epoch: epoch, learningRate: rate, dropoutSeed: seed)
            }
        }
        let step = TrainingStep(loss: label, precision: config.precision, clipNorm: config.clipNorm)
        return { images, targets, epoch, rate, seed in
            step.run(model: network, optimizer: optimizer, images: images, targets: targets, epoch: epoch,
                     learningRate: rate, dropoutSeed: seed)
        }
    }
}
