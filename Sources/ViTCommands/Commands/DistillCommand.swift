import ArgumentParser
import Foundation
import ViTCore
import ViTStore

public struct DistillCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-distill",
        abstract: "Distill a smaller student ViT from a trained teacher checkpoint.",
        discussion: "soft: (1-alpha) label loss + alpha T^2 KL(teacher/T || student/T) (Hinton et al. 2015). "
            + "hard: 1/2 label loss + 1/2 CE on the teacher's arg-max (DeiT). none: labels only, the baseline. "
            + "The imbalance remedy of --loss applies to the label term. With --dist-token the teacher term "
            + "trains a second token and head (DeiT); inference averages the two heads.")

    @Option(help: "The teacher checkpoint (needed unless --distill none).") var teacher: String?
    @Option(help: "Distillation: soft, hard or none.") var distill: DistillationKind = .soft
    @Option(help: "Softmax temperature of the soft loss.") var temperature: Float = 4
    @Option(help: "Weight of the teacher term in the soft loss.") var alpha: Float = 0.9
    @Flag(help: "Add a DeiT distillation token and head that learn from the teacher.") var distToken = false
    @Flag(help: "DeiT-LT: from --drw-epoch on, weigh the teacher term by the deferred re-weighting's class weights too.")
    var drwDistillation = false

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingOptions

    @Option(help: "Output checkpoint.") var out: String = "models/student.h5"
    @Option(help: "Continue a distillation run from its checkpoint; settings come from the file.")
    var resume: String?
    @Flag(help: "Leave the optimizer state out of the final file.") var noOptimizerState = false
    @Option(help: ArgumentHelp("Stop (and write the checkpoint) after this many epochs of the schedule.",
                               visibility: .hidden))
    var stopAfterEpochs: Int?

    public func validate() throws {
        if teacher == nil && distill != .none && resume == nil {
            throw ValidationError("--teacher is needed for --distill \(distill.rawValue)")
        }
        if !(temperature > 0) { throw ValidationError("temperature must be positive, got \(temperature)") }
        if !(0...1).contains(alpha) { throw ValidationError("alpha must be in [0, 1], got \(alpha)") }
        if resume != nil && model.overridesArchitecture {
            throw ValidationError("--resume takes the architecture from the checkpoint; drop the model flags")
        }
    }

    public func run() throws {
        ProcessSetup.unbufferOutput()
        var (run, makeSettings) = try makeRun()
        let compute = try resume == nil ? training.compute() : training.resumedCompute(stored: run.config.precision)
        run.config.precision = compute.precision
        var settings = makeSettings
        try OutputFile.prepare(out, inputs: [resume, settings.kind == .none ? nil : settings.teacher].compactMap { $0 })
        let teacherModel = settings.kind == .none ? nil : try loadTeacher(settings.teacher, compatibleWith: run.model.config)
        if teacherModel != nil {
            let hash = try Checkpoint.sha256(ofFile: settings.teacher)
            if resume != nil, !settings.teacherSHA256.isEmpty, hash != settings.teacherSHA256 {
                throw ConfigError(message: "\(settings.teacher) has changed since the run began (SHA-256 differs)")
            }
            settings.teacherSHA256 = hash
        }
        let config = run.config, student = run.model, optimizer = run.optimizer
        let (loaded, loadedCounts, test) = try data.load(seed: config.seed, imbalanceRatio: config.imbalanceRatio)
        let (train, counts, validation) = try run.carveValidation(from: loaded, counts: loadedCounts)
        var output = TrainingRun.Output(path: out, stage: .student,
                                        configJSON: ConfigJSON.encode(model: student.config,
                                                                      sections: ["training": config, "distillation": settings,
                                                                                 "compute": compute]))
        output.attributes["teacher"] = .string((settings.teacher as NSString).lastPathComponent)
        output.attributes["teacher_sha256"] = .string(settings.teacherSHA256)
        output.auxiliaryColumn = "distill_loss"
        output.keepOptimizerState = !noOptimizerState
        output.tensorboard = training.tensorboard
        print(compute.summary)
        printConfig(output.configJSON)
        if let teacherModel {
            print("teacher: \(settings.teacher), \(teacherModel.parameterCount) parameters; "
                  + "student: \(student.parameterCount) parameters")
        }
        let label = ClassificationLoss(config: config, classCounts: counts)
        let step = DistillationStep(loss: DistillationLoss(settings: settings, label: label),
                                    precision: config.precision, clipNorm: config.clipNorm)
        try run.execute(training: train, classCounts: counts, test: test, output: output, validation: validation,
                        stopAfter: stopAfterEpochs) {
            images, targets, epoch, rate, dropoutSeed in
            step.run(student: student, teacher: teacherModel, optimizer: optimizer, images: images, targets: targets,
                     epoch: epoch, learningRate: rate, dropoutSeed: dropoutSeed)
        }
    }

    private func makeRun() throws -> (TrainingRun, DistillationSettings) {
        if let resume {
            let (run, file) = try TrainingRun.resume(from: resume, epochs: training.epochs, auxiliaryColumn: "distill_loss")
            let json = try file.string("config", file: resume)
            guard let settings = try ConfigJSON.decodeSection(DistillationSettings.self, key: "distillation",
                                                              from: json, file: resume) else {
                throw ConfigError(message: "\(resume): is not a distillation run")
            }
            return (run, settings)
        }
        var settings = DistillationSettings()
        settings.kind = distill
        settings.temperature = temperature
        settings.alpha = alpha
        settings.distillationToken = distToken
        settings.drwDistillation = drwDistillation
        settings.teacher = teacher ?? ""
        var architecture = try model.config(defaultPreset: "student")
        architecture.distillationToken = distToken
        let config = try training.config(data: data)
        return (TrainingRun(model: try VisionTransformer(config: architecture, seed: config.seed), config: config), settings)
    }
}

extension DistillationKind: ExpressibleByArgument {}
