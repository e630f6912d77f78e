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
            case .report: return []
            }
        }
    }

    /// A model trained from scratch with a recipe (its "preset" is the architecture).
    public struct Train: Equatable, Sendable {
        public var output: String
        public var recipe: String
        /// The recipe's epochs unless given.
        public var epochs: Int?
    }

    /// A student trained against a teacher file of the plan.
    public struct Distill: Equatable, Sendable {
        public var output: String
        public var recipe: String
        public var teacher: String
        public var kind = DistillationKind.soft
        public var epochs: Int?
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
    }

    /// int8 post-training quantization, calibrated on the training images.
    public struct Quantize: Equatable, Sendable {
        public var parent: String
        public var output: String
        public var calibrationImages = 512
    }
}
