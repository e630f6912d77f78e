import Foundation
import ViTCore
import ViTStore

/// A chain of stages kept as a file (`plans/NAME.json`): the data every step reads, the seed,
/// and the steps in order, each naming its inputs and its output (paths inside the models
/// folder). `PlanRunner` executes it; `vit-pipeline --plan FILE` runs any plan and plain
/// `vit-pipeline` runs `plans/reference.json`.
///
///     {"description": "...", "imbalance-ratio": 100, "seed": 0,
///      "steps": [{"step": "train", "output": "teacher.h5", "recipe": "cct-teacher"},
///                {"step": "distill", "output": "student.h5", "recipe": "cct-student", "teacher": "teacher.h5"},
///                {"step": "prune", "parent": "student.h5", "output": "student-pruned.h5",
///                 "sparsities": [0.3, 0.5], "finetune-epochs": 5, "recipe": "cct-student-finetune",
///                 "teacher": "teacher.h5"},
///                {"step": "quantize", "parent": "student.h5", "output": "student-int8.h5"},
///                {"step": "report"}]}
///
/// A train, distill or prune step may add "settings": recipe keys over its recipe's (or, without
/// a recipe, on their own), e.g. {"epochs": 15, "dim": 64, "policy": "none"}.
public struct Plan: Equatable, Sendable {
    public var name: String
    public var sha256: String
    public var description: String?
    /// The long-tailed subset every step reads (1: balanced CIFAR-10).
    public var imbalanceRatio: Double = 1
    public var seed: UInt64 = 0
    public var steps: [Step] = []

    public init(name: String, sha256: String = "") {
        (self.name, self.sha256) = (name, sha256)
    }

    public enum Step: Equatable, Sendable {
        case train(Train)
        case distill(Distill)
        case prune(Prune)
        case quantize(Quantize)
        /// An encoder pre-trained without labels (vit-pretrain), the start of a train step's `init`.
        case pretrain(Pretrain)
        /// A study's report: a table (or one run's training report) of named files.
        case table(Table)
        /// The summary report of the plan's outputs (and any other checkpoint in the folder).
        case report

        /// The files the step writes (inside the models folder).
        public var outputs: [String] {
            switch self {
            case .train(let step): return [step.output]
            case .distill(let step): return [step.output]
            case .prune(let step):
                return step.sparsities.map { outputPath(step.output, sparsity: $0, sweep: step.sparsities.count > 1) }
            case .quantize(let step): return [step.output]
            case .pretrain(let step): return [step.output]
            case .table, .report: return []
            }
        }
    }

    /// A model trained from scratch with a recipe (its "preset" is the architecture) and the
    /// step's own settings over it.
    public struct Train: Equatable, Sendable {
        public var output: String
        public var recipe: String?
        /// The recipe's epochs unless given.
        public var epochs: Int?
        /// Recipe keys that change the recipe for this step (a recipe of their own when `recipe` is nil).
        public var settings = Recipe.Values()
        /// The stage the file records: teacher, student or study.
        public var stage = Stage.teacher
        /// A pre-trained file (a pretrain step's) whose encoder the run starts from, and the
        /// encoder's share of the learning rate.
        public var initFrom: String?
        public var encoderLearningRateScale: Float = 0.01
    }

    /// A student trained against a teacher file of the plan.
    public struct Distill: Equatable, Sendable {
        public var output: String
        public var recipe: String?
        public var teacher: String
        public var kind = DistillationKind.soft
        public var epochs: Int?
        public var settings = Recipe.Values()
        /// The distillation's own settings (temperature, alpha, the distillation token and how the
        /// long-tail phase treats the teacher's term); the kind and teacher come from the fields above.
        public var distillation = DistillationSettings()
    }

    /// Pruning of a parent at one or more levels, each fine-tuned with a recipe's settings.
    public struct Prune: Equatable, Sendable {
        public var parent: String
        public var output: String
        public var structure = PruningStructure.unstructured
        public var sparsities: [Double]
        public var finetuneEpochs = 0
        /// The fine-tuning's settings (their epochs do not apply: `finetuneEpochs` does).
        public var recipe: String?
        /// The teacher the fine-tuning distils from.
        public var teacher: String?
        public var kind = DistillationKind.soft
        public var settings = Recipe.Values()
        /// Which weights go: magnitude unless given (taylor scores them on training batches).
        public var criterion: PruningCriterionKind?
    }

    /// int8 post-training quantization, calibrated on the training images.
    public struct Quantize: Equatable, Sendable {
        public var parent: String
        public var output: String
        public var calibrationImages = 512
        public var mode = QuantizationSettings.Mode.static
    }

    /// Pre-training without labels: the architecture and the optimizer's settings from recipe
    /// keys ("preset", "epochs", "lr", "min-lr", "weight-decay", "warmup-epochs", "batch-size",
    /// "clip-norm"); the whole image is reconstructed unless `maskRatio` is given.
    public struct Pretrain: Equatable, Sendable {
        public var output: String
        public var settings = Recipe.Values()
        public var maskRatio: Float = 0
    }

    /// A study's report in the reports folder: `files` (inside the models folder; those that do not
    /// exist are left out, so a partly run study still reports) in the table's order.
    public struct Table: Equatable, Sendable {
        public var kind = StudyReportSettings.Kind.table
        public var title: String
        public var files: [String]
        /// The markdown file, inside the reports folder.
        public var output: String
        /// A markdown file inside the reports folder whose text goes below the table.
        public var notes: String?
        /// An SVG file beside the markdown, accuracy against `axis` (a `StudyAxis` name).
        public var plot: String?
        public var axis = "nonzero"
        public var speedSeconds = 0.0
        public var repeats = 3
    }
}
