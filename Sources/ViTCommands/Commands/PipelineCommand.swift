import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStages
import ViTStore

/// The whole chain, each stage reading the previous stage's file: teacher, distilled student,
/// pruning sweep, structured pruning, int8 models, report. Stages run in this process through
/// the library calls the commands make, each given its typed settings.
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
    @Option(help: "Student distillation epochs.") var studentEpochs: Int = 150
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
        // Every stage reads the same images: the long-tailed set (ratio 100), a slice of it with --quick.
        var source = DataSource(directory: dataDirectory)
        source.imbalanceRatio = 100
        if quick { (source.limitTrain, source.limitTest) = (2000, 1000) }
        let teacherShape = try tiny ? Self.tinyShape(width: 16, preset: "teacher") : Self.preset("cct-teacher")
        var studentShape = try tiny ? Self.tinyShape(width: 8, preset: "student") : Self.preset("cct-student")
        studentShape.distillationToken = false
        let teacher = "\(models)/teacher.h5", student = "\(models)/student.h5"
        let pruned = "\(models)/student-pruned.h5", half = "\(models)/student-pruned-s50.h5"
        let levels = try sparsities.split(separator: ",").map { level -> Double in
            guard let value = Double(level) else { throw ConfigError(message: "--sparsities: '\(level)' is not a number") }
            return value
        }
        let sweepOutputs = levels.map { outputPath(pruned, sparsity: $0, sweep: levels.count > 1) }

        try trainingStage("teacher", output: teacher) { out in
            var settings = TrainSettings(start: .fresh(model: teacherShape,
                                                       training: try Self.teacherRecipe(epochs: teacherRun, quick: quick,
                                                                                        seed: seed, data: source),
                                                       encoder: nil),
                                         data: source, output: out)
            settings.precision = precision
            settings.keepOptimizerState = false
            try train(settings)
        } resume: { partial, out in
            // A resumed stage keeps the file's settings; only the data and, if named, the precision are given.
            var settings = TrainSettings(start: .resume(path: partial, epochs: nil), data: source, output: out)
            settings.precision = precision
            settings.keepOptimizerState = false
            try train(settings)
        }
        try trainingStage("student (\(distill.rawValue) distillation)", output: student) { out in
            var distillation = DistillationSettings()
            distillation.kind = distill
            distillation.teacher = teacher
            var settings = DistillSettings(start: .fresh(model: studentShape,
                                                         training: try Self.studentRecipe(epochs: studentRun, quick: quick,
                                                                                          seed: seed, data: source),
                                                         distillation: distillation),
                                           data: source, output: out)
            settings.precision = precision
            settings.keepOptimizerState = false
            try ViTStages.distill(settings)
        } resume: { partial, out in
            var settings = DistillSettings(start: .resume(path: partial, epochs: nil), data: source, output: out)
            settings.precision = precision
            settings.keepOptimizerState = false
            try ViTStages.distill(settings)
        }
        // The pruned students fine-tune against the teacher the student learned from (reports/prune.md).
        let tuneTeacher = distill == .none ? nil : teacher
        try stage("unstructured pruning \(sparsities)", outputs: sweepOutputs) {
            try prune(Self.pruneStage(student, levels: levels, output: pruned, structure: .unstructured,
                                      finetuneEpochs: tuneRun, teacher: tuneTeacher, distill: distill, seed: seed,
                                      precision: precision, data: source))
        }
        let heads = "\(models)/student-heads50.h5"
        try stage("structured pruning (half the heads)", outputs: [heads]) {
            try prune(Self.pruneStage(student, levels: [0.5], output: heads, structure: .heads,
                                      finetuneEpochs: tuneRun, teacher: tuneTeacher, distill: distill, seed: seed,
                                      precision: precision, data: source))
        }
        let quantizeSources = [student] + (sweepOutputs.contains(half) ? [half] : [])
        let quantizedOutputs = quantizeSources.map { ($0 as NSString).deletingPathExtension + "-int8.h5" }
        for (parent, output) in zip(quantizeSources, quantizedOutputs) {
            try stage("int8 quantization of \((parent as NSString).lastPathComponent)", outputs: [output]) {
                var settings = QuantizationSettings()
                settings.calibrationImages = quick ? 16 : 512
                settings.seed = seed
                try quantize(QuantizeSettings(parent: parent, output: output, quantization: settings, data: source))
            }
        }
        try stage("report", outputs: []) {
            // The chain's files in its order, then any other checkpoint found in the folder.
            let chain = [teacher, student] + sweepOutputs + [heads] + quantizedOutputs
            let others = try FileManager.default.contentsOfDirectory(atPath: models).filter { $0.hasSuffix(".h5") }
                .sorted().map { "\(models)/\($0)" }.filter { !chain.contains($0) }
            let readmePath = readme ?? (quick || !FileManager.default.fileExists(atPath: "README.md") ? nil : "README.md")
            var settings = SummaryReportSettings(
                generatedBy: shellQuoted(["vit-report", "summary"] + CommandLine.arguments.dropFirst(2)))
            settings.checkpoints = chain.filter { FileManager.default.fileExists(atPath: $0) } + others
            settings.outputFolder = reports
            if quick { settings.speedSeconds = 0.5 }
            settings.readme = readmePath
            try writeSummaryReport(settings)
        }
    }

    /// The reference teacher recipe (reports/architecture.md): CCT's AdamW settings, AutoAugment
    /// with Mixup/CutMix and cross-entropy for the first 80% of the epochs, then balanced softmax
    /// without mixing (the deferred long-tail correction), and a weight average as the model.
    static func teacherRecipe(epochs: Int, quick: Bool, seed: UInt64, data: DataSource) throws -> TrainingConfig {
        let deferred = epochs * 4 / 5
        var config = runDefaults(seed: seed, data: data)
        config.epochs = epochs
        config.warmupEpochs = min(5, max(0, epochs - 1))
        config.learningRate = 5e-4
        config.minimumLearningRate = 1e-5
        config.weightDecay = 0.03
        config.loss = .balancedSoftmax
        config.adjustFromEpoch = deferred
        config.augmentationSettings = AugmentationSettings(policy: .autoAugment, randomErasing: 0, mixup: 0.8, cutmix: 1.0,
                                                           mixOffEpoch: deferred)
        config.evaluateEvery = quick ? 1 : 5
        config.emaDecay = quick ? 0 : 0.999  // an average over ~1,000 steps needs more steps than --quick takes
        return try validated(config)
    }

    /// The reference student recipe, shared by the distilled student and its baseline trained alone
    /// (models/studies/student-alone.h5, scripts/studies.sh distill): the teacher's recipe, evaluated
    /// every 10 epochs. At 150 epochs crop and flip alone over-fit the student (98% training
    /// accuracy); AutoAugment with mixing, which cost points at 30 epochs, gives it new images to the
    /// end, and the teacher sees the same mixed batch (reports/distill.md). (A validation split for a
    /// post-hoc tau was tried and is not used: at R = 100 it holds 5 images of the rarest class, too
    /// few to choose tau.)
    static func studentRecipe(epochs: Int, quick: Bool, seed: UInt64, data: DataSource) throws -> TrainingConfig {
        var config = try teacherRecipe(epochs: epochs, quick: quick, seed: seed, data: data)
        config.evaluateEvery = quick ? 1 : 10
        return try validated(config)
    }

    /// A run's settings before any recipe: vit-train's defaults, with the seed and the data's
    /// augmentation and imbalance ratio (the precision is resolved by the stage).
    private static func runDefaults(seed: UInt64, data: DataSource) -> TrainingConfig {
        var config = TrainingConfig()
        config.seed = seed
        config.validationSeed = seed
        config.augmentation = data.augmentation
        config.imbalanceRatio = data.imbalanceRatio
        return config
    }

    private static func validated(_ config: TrainingConfig) throws -> TrainingConfig {
        do { try config.validate() } catch { throw ConfigError(message: "\(error)") }
        return config
    }

    /// A pruning stage of the chain: the student's layers, one-shot, fine-tuned (when `finetuneEpochs`
    /// is positive) as the student ended its training: the long-tail loss, AutoAugment without mixing,
    /// and, when a teacher is named, its distillation loss. Fine-tuned alone, a distilled student
    /// forgets what it learned from the teacher: 72.15% pruned to 30% fell to 66.5%, its baseline's level.
    static func pruneStage(_ parent: String, levels: [Double], output: String, structure: PruningStructure,
                           finetuneEpochs: Int, teacher: String?, distill: DistillationKind, seed: UInt64,
                           precision: PrecisionChoice, data: DataSource) throws -> PruneSettings {
        var pruning = PruningConfig()
        pruning.structure = structure
        pruning.finetuneEpochs = finetuneEpochs
        var training = runDefaults(seed: seed, data: data)
        training.loss = .balancedSoftmax
        if finetuneEpochs > 0 {
            training.warmupEpochs = 0
            training.learningRate = 1e-4
            training.augmentationSettings = AugmentationSettings(policy: .autoAugment)
        }
        var settings = PruneSettings(parent: parent, levels: levels, output: output, pruning: pruning,
                                     training: try validated(training), data: data)
        settings.precision = precision
        if finetuneEpochs > 0, let teacher {
            var distillation = DistillationSettings()
            distillation.kind = distill
            settings.teacher = (teacher, distillation)
        }
        return settings
    }

    private static func preset(_ name: String) throws -> ModelConfig {
        guard let config = ModelConfig.preset(named: name) else { throw ConfigError(message: "unknown preset '\(name)'") }
        return config
    }

    /// Tests' architectures: one conv layer (16 tokens), one block, sequence pooling, on the
    /// command's default preset (vit-train's teacher, vit-distill's student).
    private static func tinyShape(width: Int, preset name: String) throws -> ModelConfig {
        var config = try preset(name)
        config.tokenizer = .conv
        config.convLayers = 1
        config.convChannels = 8
        config.dim = width
        config.depth = 1
        config.heads = 2
        config.mlpDim = 2 * width
        config.pool = .seq
        config.dropPath = 0
        try config.validate()
        return config
    }

    /// A training stage. With --skip-existing a finished output (one that logged all its planned
    /// epochs) is kept and an unfinished one (the checkpoint written after some epoch) is resumed, into a
    /// temporary file that replaces it only when the run has finished. A temporary file left by an
    /// interrupted resume, when it got further than the output, replaces the output first: the next
    /// run goes on from there instead of redoing those epochs.
    private func trainingStage(_ name: String, output: String, start: (String) throws -> Void,
                               resume: (String, String) throws -> Void) throws {
        let resumed = output + ".resumed.h5"
        if skipExisting, FileManager.default.fileExists(atPath: output), FileManager.default.fileExists(atPath: resumed),
           let further = try? Checkpoint.load(from: resumed).epochLogs(file: resumed).count,
           further > (try Checkpoint.load(from: output).epochLogs(file: output).count) {
            guard rename(resumed, output) == 0 else {
                throw ConfigError(message: "cannot move \(resumed) to \(output): \(String(cString: strerror(errno)))")
            }
            print("== \(name): \(resumed), left by an interrupted resume, holds epoch \(further): it replaces \(output)")
        }
        if skipExisting, FileManager.default.fileExists(atPath: output) {
            let existing = try Checkpoint.load(from: output)
            let planned = try ModelRecord(checkpoint: existing, file: output).training?.epochs
            let done = try existing.epochLogs(file: output).count
            if planned == nil || done >= planned! {
                print("== \(name): kept \(output)")
                return
            }
            print("== \(name): resuming \(output) after epoch \(done) of \(planned!)")
            let start = Date()
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
