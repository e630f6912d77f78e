import ArgumentParser
import Foundation
import ViTCore
import ViTStore

public struct PruneCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-prune",
        abstract: "Magnitude-prune a float checkpoint (weights, or whole heads or MLP neurons), optionally fine-tune, "
            + "and write a pruned checkpoint.",
        discussion: """
            Unstructured pruning zeroes the weights of smallest |w| in the matrices of --layers (never biases, \
            norms, tokens or the position embedding), stores the masks under /masks/ and deflates /weights and \
            /masks, so the file shrinks with sparsity. --structure heads removes the attention heads whose weights \
            (their q, k and v rows of qkv.weight and their columns of proj.weight) have the smallest L2 norm; \
            --structure neurons removes the MLP neurons of smallest norm (fc1 row and fc2 column). Both write a \
            smaller dense model whose config records the new widths, and --sparsity is then the fraction of heads \
            or neurons removed (each block keeps at least one).

            A list of levels writes one file per level, named from --out: --out models/pruned.h5 --sparsity 0.3,0.5 \
            writes models/pruned-s30.h5 and models/pruned-s50.h5. A single level writes --out as given.

            --finetune-epochs takes vit-train's training options (except --epochs; fine-tuning usually wants a \
            smaller --lr such as 1e-4 and --warmup-epochs 0). Masks stay fixed: pruned weights stay exactly zero. \
            Fine-tuning uses the parent's training set: its long-tailed subset is drawn with the parent's seed and \
            imbalance ratio (an --imbalance-ratio other than 1 overrides the ratio).
            """)

    @Argument(help: "The float checkpoint to prune (.h5).") var checkpoint: String
    @Option(help: "Fraction to prune, in [0, 1); a comma-separated list (0.3,0.5,0.7,0.9) writes one file per level.")
    var sparsity: String
    @Option(help: "Output checkpoint (with several levels, -s<percent> goes before the extension).")
    var out: String = "models/pruned.h5"
    @Option(help: ArgumentHelp("global: one magnitude threshold across all pruned matrices (or heads/neurons "
                               + "across blocks); layer: the same fraction in each."))
    var scope: PruningScope = .layer
    @Option(help: "Matrices to prune (unstructured), comma-separated: qkv, proj, fc1, fc2, patch_embed, head.")
    var layers: String = "qkv,proj,fc1,fc2"
    @Option(help: "unstructured, heads (remove whole attention heads) or neurons (remove whole MLP neurons).")
    var structure: PruningStructure = .unstructured
    @Option(help: ArgumentHelp("oneshot: prune, then fine-tune; gradual: raise sparsity while fine-tuning along "
                               + "Zhu & Gupta's cubic schedule s_t = S (1 - (1 - t/n)^3)."))
    var schedule: PruningSchedule = .oneshot
    @Option(help: "Fine-tuning epochs after pruning (0: none).") var finetuneEpochs: Int = 0
    @Option(help: "Gradual: epochs over which sparsity rises to its target (default: all fine-tuning epochs).")
    var rampEpochs: Int?
    @Option(help: "Gradual: training steps between mask updates.") var pruneInterval: Int = 50
    @Option(help: ArgumentHelp("What ranks weights, heads or neurons: magnitude (|w|) or taylor (|g w|, the loss change a "
                               + "first-order Taylor expansion predicts, from --criterion-batches training batches)."))
    var criterion: PruningCriterionKind = .magnitude
    @Option(help: "Taylor: batches of the training set (--batch-size each) whose gradients rank the weights.")
    var criterionBatches: Int = 16

    @Option(help: "Fine-tune with the distillation loss against this teacher checkpoint.") var teacher: String?
    @Option(help: "With --teacher: soft or hard distillation.") var distill: DistillationKind = .soft
    @Option(help: "With --teacher: softmax temperature of the soft loss.") var temperature: Float = 4
    @Option(help: "With --teacher: weight of the teacher term in the soft loss.") var alpha: Float = 0.9

    @OptionGroup var data: DataOptions
    @OptionGroup var training: TrainingOptions

    public func validate() throws {
        let levels = try sparsityLevels()
        for level in levels { try settings(sparsity: level).validate() }
        let names = levels.map { Self.outputPath(out, sparsity: $0, sweep: levels.count > 1) }
        if Set(names).count != names.count { throw ConfigError(message: "--sparsity lists a level twice: \(sparsity)") }
        if training.epochs != nil {
            throw ConfigError(message: "vit-prune fine-tunes for --finetune-epochs; --epochs does not apply")
        }
        if teacher != nil && finetuneEpochs == 0 {
            throw ConfigError(message: "--teacher applies to fine-tuning: add --finetune-epochs")
        }
        if teacher != nil && distill == .none {
            throw ConfigError(message: "--distill none with --teacher: drop --teacher instead")
        }
        if finetuneEpochs > 0 && training.warmupEpochs >= finetuneEpochs {
            throw ConfigError(message: "--warmup-epochs \(training.warmupEpochs) must be below --finetune-epochs "
                              + "\(finetuneEpochs) (fine-tuning usually wants --warmup-epochs 0)")
        }
    }

    public func run() throws {
        ProcessSetup.unbufferOutput()
        let levels = try sparsityLevels()
        let outputs = levels.map { Self.outputPath(out, sparsity: $0, sweep: levels.count > 1) }
        let parent = try PruneParent(path: checkpoint)
        for output in outputs { try OutputFile.prepare(output, inputs: [checkpoint, teacher].compactMap { $0 }) }
        let parentConfig = try parent.makeModel().config
        let teacherModel = try teacher.map { try loadTeacher($0, compatibleWith: parentConfig) }
        let teacherHash = try teacher.map { try Checkpoint.sha256(ofFile: $0) }
        let ratio = data.imbalanceRatio != 1 ? data.imbalanceRatio : parent.imbalanceRatio
        let (train, counts, test) = try data.load(seed: parent.seed, imbalanceRatio: ratio)
        var fineTuning: TrainingConfig?
        if finetuneEpochs > 0 {
            var config = try training.config(data: data)
            config.epochs = finetuneEpochs
            config.imbalanceRatio = ratio
            fineTuning = config
        }
        let precision = try fineTuning?.precision ?? training.compute().precision
        print(try training.compute().summary)

        for (level, output) in zip(levels, outputs) {
            var settings = try settings(sparsity: level)
            settings.finetune = fineTuning
            let dense = try parent.makeModel()
            let network = try pruneBeforeTraining(dense, settings, criterion: try makeCriterion(dense, settings, train: train,
                                                                                             counts: counts, seed: parent.seed))
            let targets = prunedMatrices(network, settings)
            var logs: [EpochLog] = [], sparsityColumn: [Double] = []
            if let fineTuning {
                (logs, sparsityColumn) = try fineTune(network, targets: targets, settings: settings, config: fineTuning,
                                                  train: train, counts: counts, test: test, teacher: teacherModel)
            }

            let configJSON = parent.childConfig(model: network.config, pruning: settings)
            printConfig(configJSON)
            var file = Checkpoint(model: network, stage: .pruned, config: configJSON,
                                  seed: fineTuning?.seed ?? parent.seed, command: CommandLine.arguments)
            file.compressWeights = true
            file.attributes["parent"] = .string((checkpoint as NSString).lastPathComponent)
            file.attributes["parent_sha256"] = .string(parent.sha256)
            let achieved: Double
            if settings.structure == .unstructured {
                achieved = MagnitudePruning.maskedFraction(targets)
            } else {
                achieved = 1 - Double(count(targets)) / Double(count(prunedMatrices(dense, settings)))
                file.attributes["params_removed_fraction"] =
                    .double(1 - Double(network.parameterCount) / Double(dense.parameterCount))
            }
            file.attributes["sparsity"] = .double(achieved)
            if let teacher, let teacherHash {
                file.attributes["teacher"] = .string((teacher as NSString).lastPathComponent)
                file.attributes["teacher_sha256"] = .string(teacherHash)
            }
            if !logs.isEmpty { file.storeLogs(logs, extraColumns: ["sparsity": sparsityColumn]) }
            let result = try evaluate(network, on: test, precision: precision)
            file.storeEvaluation(result, model: network, classCounts: counts)
            try file.save(to: output)
            print(String(format: "sparsity %.4f (target %.4f), %d parameters (%d non-zero), accuracy %.2f%%",
                         achieved, level, network.parameterCount, network.nonzeroParameterCount, 100 * result.accuracy))
            print("wrote \(output)")
        }
    }

    /// "models/pruned.h5" at 0.3 -> "models/pruned-s30.h5" in a sweep; a single level keeps --out.
    static func outputPath(_ out: String, sparsity: Double, sweep: Bool) -> String {
        guard sweep else { return out }
        let path = out as NSString, suffix = path.pathExtension
        let label = "-s" + String(format: "%g", (sparsity * 10_000).rounded() / 100)
        return path.deletingPathExtension + label + (suffix.isEmpty ? "" : "." + suffix)
    }

    private func sparsityLevels() throws -> [Double] {
        try sparsity.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let level = Double(text) else { throw ConfigError(message: "--sparsity: '\(text)' is not a number") }
            return level
        }
    }

    private func settings(sparsity level: Double) throws -> PruningConfig {
        var settings = PruningConfig()
        settings.sparsity = level
        settings.scope = scope
        settings.schedule = schedule
        settings.structure = structure
        settings.layers = try PrunableLayer.parseList(layers)
        settings.finetuneEpochs = finetuneEpochs
        settings.rampEpochs = rampEpochs
        settings.pruneInterval = pruneInterval
        if criterion == .taylor {
            settings.criterion = .taylor
            settings.criterionBatches = criterionBatches
        }
        return settings
    }

    /// One-shot pruning (unstructured, or a smaller model); gradual pruning happens while training.
    private func pruneBeforeTraining(_ network: VisionTransformer, _ settings: PruningConfig,
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

    /// The ranking the settings ask for; Taylor's gradients come from the label loss of --loss on
    /// unaugmented training batches (the order seeded with the parent's seed).
    private func makeCriterion(_ network: VisionTransformer, _ settings: PruningConfig, train: LabeledImages,
                               counts: [Int], seed: UInt64) throws -> PruningCriterion {
        guard settings.criterion == .taylor else { return MagnitudeCriterion() }
        let config = try training.config(data: data)
        let batches = settings.criterionBatches ?? criterionBatches
        print("Taylor criterion: gradients of \(config.loss.rawValue) on \(batches) batches of \(config.batchSize)")
        return TaylorCriterion.measure(network, on: train, batches: batches, batchSize: config.batchSize, seed: seed,
                                       loss: ClassificationLoss(config: config, classCounts: counts),
                                       precision: config.precision, parameters: prunedMatrices(network, settings))
    }

    /// The matrices the settings prune: --layers, or the ones whose heads or neurons go.
    private func prunedMatrices(_ network: VisionTransformer, _ settings: PruningConfig) -> [Parameter] {
        switch settings.structure {
        case .unstructured: return MagnitudePruning.targets(in: network, layers: settings.layers)
        case .heads: return MagnitudePruning.targets(in: network, layers: [.qkv, .proj])
        case .neurons: return MagnitudePruning.targets(in: network, layers: [.fc1, .fc2])
        }
    }

    private func count(_ parameters: [Parameter]) -> Int { parameters.reduce(0) { $0 + $1.count } }

    /// Trains with the masks fixed (one-shot) or rising (gradual); returns the epoch logs and the
    /// share of zeros in the pruned matrices after each epoch.
    private func fineTune(_ network: VisionTransformer, targets: [Parameter], settings: PruningConfig,
                          config: TrainingConfig, train: LabeledImages, counts: [Int],
                          test: LabeledImages, teacher: VisionTransformer?) throws -> ([EpochLog], [Double]) {
        let optimizer = AdamW(weightDecay: config.weightDecay)
        let step = fineTuningStep(network, optimizer: optimizer, config: config, counts: counts, teacher: teacher)
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
        if let directory = training.tensorboard, DataParallel.group.rank == 0 {
            try TensorBoardLog(directory: directory).attach(to: trainer) {
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

    /// The fine-tuning step: vit-train's label loss, or with --teacher vit-distill's loss.
    private func fineTuningStep(_ network: VisionTransformer, optimizer: AdamW, config: TrainingConfig,
                                counts: [Int], teacher: VisionTransformer?) -> StepFunction {
        let label = ClassificationLoss(config: config, classCounts: counts)
        if let teacher {
            var settings = DistillationSettings()
            settings.kind = distill
            settings.temperature = temperature
            settings.alpha = alpha
            let step = DistillationStep(loss: DistillationLoss(settings: settings, label: label),
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

extension PruningScope: ExpressibleByArgument {}
extension PruningSchedule: ExpressibleByArgument {}
extension PruningStructure: ExpressibleByArgument {}
extension PruningCriterionKind: ExpressibleByArgument {}
