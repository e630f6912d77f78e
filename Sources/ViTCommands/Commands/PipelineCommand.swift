import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStages
import ViTStore

/// The whole chain as a plan (plans/reference.json, or any plan file): flags -> plan -> run.
/// Each step reads the previous steps' files; `PlanRunner` runs them and owns keep/resume.
public struct PipelineCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-pipeline",
        abstract: "Train, distill, prune, quantize and report: the whole vitc chain, as a plan.",
        discussion: "Runs plans/reference.json (teacher, distilled student, pruning sweep, structured pruning, int8 models, "
            + "report) into models/ and reports/, or any plan with --plan. --quick runs plans/quick.json, the same chain "
            + "with smaller models and fewer epochs (about half an hour on 2 cores), into quick/ unless --models-dir and "
            + "--reports-dir say otherwise.")

    @Option(help: "Run this plan: a name in plans/ or a JSON file (default: reference).") var plan: String?
    @Flag(help: "Run plans/quick.json into quick/: the whole chain with smaller models in about half an hour.") var quick = false
    @Option(help: "CIFAR-10 binary directory (default: $VITC_DATA, else data/cifar-10-batches-bin).") var data: String?
    @Flag(help: "Download CIFAR-10 into the data directory first if its files are missing (as vit-data download does).")
    var download = false
    @Option(help: "Folder for the checkpoints (default: models, or quick/models with --quick).") var modelsDir: String?
    @Option(help: "Folder for the report (default: reports, or quick/reports with --quick).") var reportsDir: String?
    @Option(help: "Seed of every step (default: the plan's).") var seed: UInt64?
    @Option(help: ArgumentHelp(precisionHelp)) var precision: PrecisionChoice = .auto
    @Option(help: "Epochs of the plan's train steps (the reference teacher: 160).") var teacherEpochs: Int?
    @Option(help: "Epochs of the plan's distill steps (the reference student: 150).") var studentEpochs: Int?
    @Option(help: "How the plan's distill steps learn from the teacher: soft or hard.") var distill: DistillationKind?
    @Option(help: "Fine-tuning epochs of the plan's prune steps (reference: 5).") var finetuneEpochs: Int?
    @Option(help: "Levels of the plan's unstructured prune step (reference: 0.3,0.5,0.7,0.8,0.9).") var sparsities: String?
    @Option(help: "README whose results table the report fills (default: README.md when it exists, for the reference plan into models/).")
    var readme: String?
    @Flag(help: "Keep a step's output when it already exists instead of redoing the step.") var skipExisting = false

    public func validate() throws {
        if [teacherEpochs, studentEpochs].contains(where: { $0 != nil && $0! < 1 }) || (finetuneEpochs ?? 0) < 0 {
            throw ValidationError("epochs must be positive (fine-tuning: not negative)")
        }
        if distill == DistillationKind.none {
            throw ValidationError("--distill must be soft or hard: the pipeline's student learns from its teacher")
        }
        if quick && plan != nil { throw ValidationError("--quick runs plans/quick.json; give --plan or --quick, not both") }
    }

    public func run() throws {
        ProcessSetup.unbufferOutput()
        let dataDirectory = CIFAR10.resolveDirectory(flag: data)
        let plan = try Self.plan(named: self.plan ?? (quick ? "quick" : "reference"), teacherEpochs: teacherEpochs, studentEpochs: studentEpochs,
                                 distill: distill, finetuneEpochs: finetuneEpochs, sparsities: sparsities, seed: seed)
        if download && !DatasetDownload.isComplete(dataDirectory) {
            try DatasetDownload(destination: dataDirectory).run()
        }
        var runner = PlanRunner(plan: plan, data: DataSource(directory: dataDirectory))
        runner.modelsFolder = modelsDir ?? (quick ? "quick/models" : "models")
        runner.reportsFolder = reportsDir ?? (quick ? "quick/reports" : "reports")
        runner.precision = precision
        runner.skipExisting = skipExisting
        runner.command = CommandLine.arguments
        runner.reportCommand = shellQuoted(["vit-report", "summary"] + CommandLine.arguments.dropFirst(2))
        // Only the reference chain into models/ fills the README's table unless --readme says otherwise.
        let reference = self.plan == nil && !quick && modelsDir == nil
        runner.readme = readme ?? (reference && FileManager.default.fileExists(atPath: "README.md") ? "README.md" : nil)
        if quick { runner.speedSeconds = 0.5 }
        try reportingInterruption("vit-pipeline", output: "", continueWith: nil) { try runner.run() }
    }

    /// The plan a command line asks for: the named plan with the flags applied to its steps
    /// (epochs of train, distill and prune steps; the distillation kind; the unstructured prune
    /// step's levels, and then only the int8 step of a pruned file the sweep still writes).
    static func plan(named name: String, teacherEpochs: Int?, studentEpochs: Int?, distill: DistillationKind?,
                     finetuneEpochs: Int?, sparsities: String?, seed: UInt64?) throws -> Plan {
        var plan = try Plan.load(name)
        let plannedBefore = Set(plan.steps.flatMap(\.outputs))
        let levels = try sparsities.map { text in
            try text.split(separator: ",").map { level -> Double in
                guard let value = Double(level.trimmingCharacters(in: .whitespaces)) else {
                    throw ConfigError(message: "--sparsities: '\(level)' is not a number")
                }
                return value
            }
        }
        if let seed { plan.seed = seed }
        plan.steps = plan.steps.map { step in
            switch step {
            case .train(var train):
                train.epochs = teacherEpochs ?? train.epochs
                return .train(train)
            case .distill(var student):
                student.epochs = studentEpochs ?? student.epochs
                student.kind = distill ?? student.kind
                return .distill(student)
            case .prune(var prune):
                prune.finetuneEpochs = finetuneEpochs ?? prune.finetuneEpochs
                prune.kind = distill ?? prune.kind
                if let levels, prune.structure == .unstructured { prune.sparsities = levels }
                return .prune(prune)
            default:
                return step
            }
        }
        // A quantize step whose parent no step writes any more (the sweep lost that level) goes.
        let written = Set(plan.steps.flatMap(\.outputs))
        plan.steps = plan.steps.filter { step in
            guard case .quantize(let quantize) = step else { return true }
            return written.contains(quantize.parent) || !plannedBefore.contains(quantize.parent)
        }
        return plan
    }
}
