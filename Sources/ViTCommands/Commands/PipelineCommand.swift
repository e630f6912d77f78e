import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStore

/// The whole chain, each stage reading the previous stage's file: teacher, distilled student,
/// pruning sweep, structured pruning, int8 models, report. Stages run in this process through
/// the same commands a user would call, with the flags printed before each.
public struct PipelineCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-pipeline",
        abstract: "Train, distill, prune, quantize and report: the whole vitc chain.",
        discussion: "The reference run writes models/ and reports/. --quick runs the same chain on a slice of the "
            + "data with one epoch per stage, into quick/ unless --models-dir and --reports-dir say otherwise.")

    @Flag(help: "A few minutes: 2,000 training and 1,000 test images, one epoch per stage.") var quick = false
    @Option(help: "CIFAR-10 binary directory (default: $VITC_DATA, else data/cifar-10-batches-bin).") var data: String?
    @Flag(help: "Download CIFAR-10 into the data directory first if its files are missing (as vit-data download does).")
    var download = false
    @Option(help: "Folder for the checkpoints (default: models, or quick/models with --quick).") var modelsDir: String?
    @Option(help: "Folder for the report (default: reports, or quick/reports with --quick).") var reportsDir: String?
    @Option(help: "Seed of every stage.") var seed: UInt64 = 0
    @Option(help: ArgumentHelp(precisionHelp)) var precision: PrecisionChoice = .auto
    @Option(help: "Teacher training epochs.") var teacherEpochs: Int = 160
    @Option(help: "Student distillation epochs.") var studentEpochs: Int = 30
    @Option(help: "How the student learns from the teacher: soft or hard.") var distill: DistillationKind = .soft
    @Option(help: "Fine-tuning epochs after pruning.") var finetuneEpochs: Int = 5
    @Option(help: "Unstructured sparsity levels.") var sparsities: String = "0.3,0.5,0.7,0.8,0.9"
    @Option(help: "README whose results table the report fills (default: README.md when it exists; none with --quick).")
    var readme: String?
    @Flag(help: "Keep a stage's output when it already exists instead of redoing the stage.") var skipExisting = false
    @Flag(help: ArgumentHelp("Tiny architectures (tests).", visibility: .hidden)) var tiny = false

    public func validate() throws {
        if teacherEpochs < 1 || studentEpochs < 1 || finetuneEpochs < 0 {
            throw ValidationError("epochs must be positive (fine-tuning: not negative)")
        }
        if distill == .none { throw ValidationError("--distill must be soft or hard: the pipeline's student learns from its teacher") }
    }

    public func run() throws {
        ProcessSetup.unbufferOutput()
        print(try ComputeSettings(precision, training: true).summary)  // refuses bf16 before any stage runs
        let dataDirectory = CIFAR10.resolveDirectory(flag: data)
        if download && !DatasetDownload.isComplete(dataDirectory) {
            try DatasetDownload(destination: dataDirectory).run()
        }
        let models = modelsDir ?? (quick ? "quick/models" : "models")
        let reports = reportsDir ?? (quick ? "quick/reports" : "reports")
        let (teacherRun, studentRun, tuneRun) = quick ? (1, 1, 1) : (teacherEpochs, studentEpochs, finetuneEpochs)
        var dataFlags = data.map { ["--data", $0] } ?? []
        if quick { dataFlags += ["--limit-train", "2000", "--limit-test", "1000"] }
        let common = ["--seed", "\(seed)"] + dataFlags
        // A resumed stage keeps the file's settings; only the data's place and, if named, the precision are given.
        let resumeFlags = dataFlags + (precision == .auto ? [] : ["--precision", precision.rawValue])
        let longTail = ["--imbalance-ratio", "100", "--precision", precision.rawValue]
        let teacherRecipe = Self.teacherRecipe(epochs: teacherRun, quick: quick)
        let studentRecipe = Self.studentRecipe(epochs: studentRun, quick: quick)
        let teacherShape = tiny ? Self.tinyShape(width: 16) : ["--preset", "cct-teacher"]
        let studentShape = tiny ? Self.tinyShape(width: 8) : ["--preset", "cct-student"]
        let teacher = "\(models)/teacher.h5", student = "\(models)/student.h5"
        let pruned = "\(models)/student-pruned.h5", half = "\(models)/student-pruned-s50.h5"
        let levels = sparsities.split(separator: ",").map { String($0) }
        let sweepOutputs = try levels.map { level -> String in
            guard let value = Double(level) else { throw ConfigError(message: "--sparsities: '\(level)' is not a number") }
            return PruneCommand.outputPath(pruned, sparsity: value, sweep: levels.count > 1)
        }
        // Pruning fine-tunes with the long-tail loss the models ended their training with.
        let tune = (tuneRun > 0 ? ["--finetune-epochs", "\(tuneRun)", "--warmup-epochs", "0", "--lr", "1e-4"] : [])
            + ["--loss", "balanced-softmax"]

        try trainingStage("teacher", output: teacher) { out in
            try TrainCommand.parse(common + longTail + teacherShape + teacherRecipe
                                   + ["--no-optimizer-state", "--out", out]).run()
        } resume: { partial, out in
            try TrainCommand.parse(["--resume", partial, "--no-optimizer-state", "--out", out] + resumeFlags).run()
        }
        try trainingStage("student (\(distill.rawValue) distillation)", output: student) { out in
            try DistillCommand.parse(common + longTail + studentShape + studentRecipe
                                     + ["--teacher", teacher, "--distill", distill.rawValue,
                                        "--no-optimizer-state", "--out", out]).run()
        } resume: { partial, out in
            try DistillCommand.parse(["--resume", partial, "--teacher", teacher, "--no-optimizer-state", "--out", out]
                                     + resumeFlags).run()
        }
        try stage("unstructured pruning \(sparsities)", outputs: sweepOutputs) {
            try PruneCommand.parse([student, "--sparsity", sparsities, "--out", pruned] + common + longTail + tune).run()
        }
        let heads = "\(models)/student-heads50.h5"
        try stage("structured pruning (half the heads)", outputs: [heads]) {
            try PruneCommand.parse([student, "--structure", "heads", "--sparsity", "0.5", "--out", heads]
                                   + common + longTail + tune).run()
        }
        let quantizeSources = [student] + (sweepOutputs.contains(half) ? [half] : [])
        let quantizedOutputs = quantizeSources.map { ($0 as NSString).deletingPathExtension + "-int8.h5" }
        for (source, output) in zip(quantizeSources, quantizedOutputs) {
            try stage("int8 quantization of \((source as NSString).lastPathComponent)", outputs: [output]) {
                try QuantizeCommand.parse([source, "--out", output, "--mode", "static", "--imbalance-ratio", "100",
                                           "--calibration-images", quick ? "16" : "512"] + common).run()
            }
        }
        try stage("report", outputs: []) {
            // The chain's files in its order, then any other checkpoint found in the folder.
            let chain = [teacher, student] + sweepOutputs + [heads] + quantizedOutputs
            let others = try FileManager.default.contentsOfDirectory(atPath: models).filter { $0.hasSuffix(".h5") }
                .sorted().map { "\(models)/\($0)" }.filter { !chain.contains($0) }
            let files = chain.filter { FileManager.default.fileExists(atPath: $0) } + others
            let readmePath = readme ?? (quick || !FileManager.default.fileExists(atPath: "README.md") ? nil : "README.md")
            var report = try ReportCommand.parseAsRoot(["summary"] + files + ["--out-dir", reports]
                                                       + (quick ? ["--speed-seconds", "0.5"] : [])
                                                       + (readmePath.map { ["--readme", $0] } ?? []))
            try report.run()
        }
    }

    /// The reference teacher recipe (reports/architecture.md): CCT's AdamW settings, AutoAugment
    /// with Mixup/CutMix and cross-entropy for the first 80% of the epochs, then balanced softmax
    /// without mixing (the deferred long-tail correction), and a weight average as the model.
    static func teacherRecipe(epochs: Int, quick: Bool) -> [String] {
        let deferred = epochs * 4 / 5
        return ["--epochs", "\(epochs)", "--warmup-epochs", "\(min(5, max(0, epochs - 1)))",
                "--lr", "5e-4", "--min-lr", "1e-5", "--weight-decay", "0.03",
                "--loss", "balanced-softmax", "--adjust-from-epoch", "\(deferred)",
                "--policy", "auto-augment", "--mixup", "0.8", "--cutmix", "1.0", "--mix-off-epoch", "\(deferred)",
                "--eval-every", quick ? "1" : "5"]
            + (quick ? [] : ["--ema", "0.999"])  // an average over ~1,000 steps needs more steps than --quick takes
    }

    /// The reference student recipe, shared by the distilled student and its baseline trained alone
    /// (models/studies/student-alone.h5, scripts/studies.sh distill): CCT's AdamW settings, crop and
    /// flip, cross-entropy then balanced softmax for the last 20% of the epochs, and a post-hoc logit
    /// adjustment chosen on a 10% validation split and folded into the head (reports/distill.md: it
    /// rebalances the head-heavy distilled student).
    static func studentRecipe(epochs: Int, quick: Bool) -> [String] {
        ["--epochs", "\(epochs)", "--warmup-epochs", "\(min(5, max(0, epochs - 1)))",
         "--lr", "5e-4", "--weight-decay", "0.03", "--loss", "balanced-softmax", "--adjust-from-epoch", "\(epochs * 4 / 5)",
         "--validation-fraction", "0.1", "--eval-every", quick ? "1" : "10"]
    }

    /// Tests' architectures: one conv layer (16 tokens), one block, sequence pooling.
    private static func tinyShape(width: Int) -> [String] {
        ["--tokenizer", "conv", "--conv-layers", "1", "--conv-channels", "8", "--dim", "\(width)", "--depth", "1",
         "--heads", "2", "--mlp-dim", "\(2 * width)", "--pool", "seq", "--drop-path", "0"]
    }

    /// A training stage. With --skip-existing a finished output (one that logged all its planned
    /// epochs) is kept and an unfinished one (the checkpoint written after some epoch) is resumed, into a
    /// temporary file that replaces it only when the run has finished.
    private func trainingStage(_ name: String, output: String, start: (String) throws -> Void,
                               resume: (String, String) throws -> Void) throws {
        if skipExisting, FileManager.default.fileExists(atPath: output) {
            let existing = try Checkpoint.load(from: output)
            let json = try existing.string("config", file: output)
            let planned = try ConfigJSON.decodeSection(TrainingConfig.self, key: "training", from: json, file: output)?.epochs
            let done = try existing.epochLogs(file: output).count
            if planned == nil || done >= planned! {
                print("== \(name): kept \(output)")
                return
            }
            print("== \(name): resuming \(output) after epoch \(done) of \(planned!)")
            let start = Date()
            let resumed = output + ".resumed.h5"
            try resume(output, resumed)
            guard rename(resumed, output) == 0 else {
                throw ConfigError(message: "cannot move \(resumed) to \(output): \(String(cString: strerror(errno)))")
            }
            print("== \(name) done in \(formatSeconds(Date().timeIntervalSince(start)))")
            return
        }
        try stage(name, outputs: []) { try start(output) }
    }

    /// Runs one stage unless --skip-existing finds all its outputs.
    private func stage(_ name: String, outputs: [String], _ body: () throws -> Void) throws {
        if skipExisting, !outputs.isEmpty, outputs.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
            print("== \(name): kept \(outputs.joined(separator: ", "))")
            return
        }
        print("== \(name)")
        let start = Date()
        try body()
        print("== \(name) done in \(formatSeconds(Date().timeIntervalSince(start)))")
    }

    private func formatSeconds(_ seconds: Double) -> String {
        seconds >= 60 ? String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) : String(format: "%.0fs", seconds)
    }
}
