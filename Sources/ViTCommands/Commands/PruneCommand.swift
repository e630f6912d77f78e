import ArgumentParser
import Foundation
import ViTCore
import ViTStages
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
    }

    public func run() throws {
        let recipe = try training.loadRecipe()
        if recipe?.values.epochs != nil {
            throw ConfigError(message: "vit-prune fine-tunes for --finetune-epochs; recipe \(recipe!.name)'s epochs do not apply")
        }
        let training = try self.training.config(data: data, recipe: recipe)
        if finetuneEpochs > 0 && training.warmupEpochs >= finetuneEpochs {
            throw ConfigError(message: "--warmup-epochs \(training.warmupEpochs) must be below --finetune-epochs "
                              + "\(finetuneEpochs) (fine-tuning usually wants --warmup-epochs 0)")
        }
        var stage = PruneSettings(parent: checkpoint, levels: try sparsityLevels(), output: out,
                                  pruning: try settings(sparsity: 0), training: training,
                                  data: try data.source())
        stage.precision = self.training.precision
        stage.command = CommandLine.arguments
        stage.tensorboard = self.training.tensorboard
        if let teacher {
            var distillation = DistillationSettings()
            distillation.kind = distill
            distillation.temperature = temperature
            distillation.alpha = alpha
            stage.teacher = (teacher, distillation)
        }
        try reportingInterruption("vit-prune", output: "the level being fine-tuned's file", continueWith: nil) {
            try ViTStages.prune(stage)
        }
    }

    /// "models/pruned.h5" at 0.3 -> "models/pruned-s30.h5" in a sweep; a single level keeps --out.
    static func outputPath(_ out: String, sparsity: Double, sweep: Bool) -> String {
        ViTStages.outputPath(out, sparsity: sparsity, sweep: sweep)
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
}

extension PruningScope: ExpressibleByArgument {}
extension PruningSchedule: ExpressibleByArgument {}
extension PruningStructure: ExpressibleByArgument {}
extension PruningCriterionKind: ExpressibleByArgument {}
