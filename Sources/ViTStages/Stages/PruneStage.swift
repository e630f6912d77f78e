import Foundation
import ViTCore
import ViTStore

/// What `prune` needs: the float parent, the levels to prune it to, how, and the optional
/// fine-tuning (with its optional teacher).
public struct PruneSettings {
    public var parent: String
    /// One output per level: `output` itself for a single level, else `outputPath(output, sparsity:, sweep: true)`.
    public var levels: [Double]
    public var output: String
    /// Scope, structure, schedule, layers, criterion and fine-tuning epochs; the sparsity is set per level.
    public var pruning: PruningConfig
    /// The fine-tuning settings (the epochs come from `pruning.finetuneEpochs`, the imbalance ratio
    /// from the parent unless `data` names one); the Taylor criterion's batch size and loss too.
    public var training: TrainingConfig
    public var data: DataSource
    public var precision = PrecisionChoice.auto
    /// Fine-tune with the distillation loss (kind, temperature, alpha) against this teacher's file.
    public var teacher: (path: String, distillation: DistillationSettings)?
    public var tensorboard: String?
    /// The command line recorded in the output file (the command passes its own; the stage reads no process state).
    public var command: [String] = []

    public init(parent: String, levels: [Double], output: String, pruning: PruningConfig, training: TrainingConfig,
                data: DataSource) {
        self.parent = parent
        self.levels = levels
        self.output = output
        self.pruning = pruning
        self.training = training
        self.data = data
    }

    /// The file each level is written to.
    public var outputs: [String] { levels.map { outputPath(output, sparsity: $0, sweep: levels.count > 1) } }
}

/// "models/pruned.h5" at 0.3 -> "models/pruned-s30.h5" in a sweep; a single level keeps `out`.
public func outputPath(_ out: String, sparsity: Double, sweep: Bool) -> String {
    guard sweep else { return out }
    let path = out as NSString, suffix = path.pathExtension
    let label = "-s" + String(format: "%g", (sparsity * 10_000).rounded() / 100)
    return path.deletingPathExtension + label + (suffix.isEmpty ? "" : "." + suffix)
}

/// Prunes a float checkpoint to each level (vit-prune, the pipeline's sweep and heads), optionally
/// fine-tunes, and writes one pruned checkpoint per level.
public func prune(_ settings: PruneSettings) throws {
    ProcessSetup.unbufferOutput()
    let outputs = settings.outputs
    let parent = try PruneParent(path: settings.parent)
    let teacherPath = settings.teacher?.path
    for output in outputs { try OutputFile.prepare(output, inputs: [settings.parent, teacherPath].compactMap { $0 }) }
    let parentConfig = try parent.makeModel().config
    let teacherModel = try teacherPath.map { try loadTeacher($0, compatibleWith: parentConfig) }
    let teacherHash = try teacherPath.map { try Checkpoint.sha256(ofFile: $0) }
    let ratio = settings.data.imbalanceRatio != 1 ? settings.data.imbalanceRatio : parent.imbalanceRatio
    let (train, counts, test) = try settings.data.load(seed: parent.seed, imbalanceRatio: ratio)
    let compute = try ComputeSettings(settings.precision, training: true)
    var training = settings.training
    training.precision = compute.precision
    var fineTuning: TrainingConfig?
    if settings.pruning.finetuneEpochs > 0 {
        var config = training
        config.epochs = settings.pruning.finetuneEpochs
        config.imbalanceRatio = ratio
        fineTuning = config
    }
    let precision = fineTuning?.precision ?? compute.precision
    print(compute.summary)
    let pruner = Pruner(training: training, teacher: teacherModel, distillation: settings.teacher?.distillation,
                        tensorboard: settings.tensorboard)

    for (level, output) in zip(settings.levels, outputs) {
        var pruning = settings.pruning
        pruning.sparsity = level
        pruning.finetune = fineTuning
        let dense = try parent.makeModel()
        let criterion = try pruner.makeCriterion(dense, pruning, train: train, counts: counts, seed: parent.seed)
        let network = try pruner.pruneBeforeTraining(dense, pruning, criterion: criterion)
        let targets = pruner.prunedMatrices(network, pruning)
        var logs: [EpochLog] = [], sparsityColumn: [Double] = []
        if let fineTuning {
            (logs, sparsityColumn) = try pruner.fineTune(network, targets: targets, settings: pruning, config: fineTuning,
                                                         train: train, counts: counts, test: test)
        }

        var record = parent.childRecord(model: network.config, pruning: pruning)
        record.seed = fineTuning?.seed ?? parent.seed
        if let teacherPath, let teacherHash {
            record.teacher = ModelRecord.Source(name: (teacherPath as NSString).lastPathComponent, sha256: teacherHash)
        }
        printSettings(record)
        var file = Checkpoint(model: network, record: record, command: settings.command)
        file.compressWeights = true
        let achieved: Double
        if pruning.structure == .unstructured {
            achieved = MagnitudePruning.maskedFraction(targets)
        } else {
            achieved = 1 - Double(pruner.count(targets)) / Double(pruner.count(pruner.prunedMatrices(dense, pruning)))
            file.attributes["params_removed_fraction"] =
                .double(1 - Double(network.parameterCount) / Double(dense.parameterCount))
        }
        file.attributes["sparsity"] = .double(achieved)
        if !logs.isEmpty { file.storeLogs(logs, extraColumns: ["sparsity": sparsityColumn]) }
        let result = try evaluate(network, on: test, precision: precision)
        file.storeEvaluation(result, model: network, classCounts: counts)
        try file.save(to: output)
        print(String(format: "sparsity %.4f (target %.4f), %d parameters (%d non-zero), accuracy %.2f%%",
                     achieved, level, network.parameterCount, network.nonzeroParameterCount, 100 * result.accuracy))
        print("wrote \(output)")
    }
}
