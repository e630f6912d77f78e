import Foundation
import ViTCore
import ViTStore

/// What `distill` needs: a new student (architecture, settings, how it learns from which
/// teacher) or the file of a distillation run to continue, and where its checkpoints go.
public struct DistillSettings {
    public enum Start {
        /// A new run; `training.precision` is replaced by the one `precision` resolves to.
        /// `distillation.teacher` names the teacher's file (unused with kind none).
        case fresh(model: ModelConfig, training: TrainingConfig, distillation: DistillationSettings)
        /// The run saved in `path`, continued up to `epochs`; its teacher is the one the file names.
        case resume(path: String, epochs: Int?)
    }

    public var start: Start
    public var data: DataSource
    public var output: String
    public var precision = PrecisionChoice.auto
    public var keepOptimizerState = true
    public var tensorboard: String?
    public var stopAfterEpochs: Int?
    /// The command line recorded in the output file (the command passes its own; the stage reads no process state).
    public var command: [String] = []
    /// With `.resume`: turn balanced distillation on for the rest of the run. Allowed only before
    /// the label loss's adjusted phase, where the setting has not acted yet, so the result is the
    /// fresh run with it: one cross-entropy phase can branch into several endings.
    public var balancedDistillationFromResume = false

    public init(start: Start, data: DataSource, output: String) {
        self.start = start
        self.data = data
        self.output = output
    }
}

/// Trains a student against a teacher's outputs (vit-distill, the pipeline's student).
public func distill(_ settings: DistillSettings) throws {
    ProcessSetup.unbufferOutput()
    var run: TrainingRun
    var distillation: DistillationSettings
    var resumed: String?
    let compute: ComputeSettings
    switch settings.start {
    case .resume(let path, let epochs):
        let (loaded, file) = try TrainingRun.resume(from: path, epochs: epochs, auxiliaryColumn: "distill_loss")
        guard let stored = try ModelRecord(checkpoint: file, file: path).distillation else {
            throw ConfigError(message: "\(path): is not a distillation run")
        }
        (run, distillation, resumed) = (loaded, stored, path)
        if settings.balancedDistillationFromResume {
            try distillation.enableBalancedDistillation(at: run.logs.count, config: run.config, file: path)
        }
        compute = try ComputeSettings.resumed(settings.precision, stored: run.config.precision)
    case .fresh(let architecture, let config, let fresh):
        run = TrainingRun(model: try VisionTransformer(config: architecture, seed: config.seed), config: config)
        distillation = fresh
        compute = try ComputeSettings(settings.precision, training: true)
    }
    run.config.precision = compute.precision
    try OutputFile.prepare(settings.output,
                           inputs: [resumed, distillation.kind == .none ? nil : distillation.teacher].compactMap { $0 })
    let teacherModel = distillation.kind == .none
        ? nil : try loadTeacher(distillation.teacher, compatibleWith: run.model.config)
    if teacherModel != nil {
        let hash = try Checkpoint.sha256(ofFile: distillation.teacher)
        if resumed != nil, !distillation.teacherSHA256.isEmpty, hash != distillation.teacherSHA256 {
            throw ConfigError(message: "\(distillation.teacher) has changed since the run began (SHA-256 differs)")
        }
        distillation.teacherSHA256 = hash
    }
    let config = run.config, student = run.model, optimizer = run.optimizer
    let images = try run.loadImages(settings.data)
    let (train, counts, test, validation) = (images.train, images.counts, images.test, images.split)
    var record = ModelRecord(stage: .student, model: student.config, seed: config.seed)
    record.training = config
    record.distillation = distillation
    record.setOtherSection("compute", compute)
    // Named even without a teacher (kind none), as every student file always was.
    record.teacher = ModelRecord.Source(name: (distillation.teacher as NSString).lastPathComponent,
                                        sha256: distillation.teacherSHA256)
    var output = TrainingRun.Output(path: settings.output, record: record, command: settings.command)
    output.auxiliaryColumn = "distill_loss"
    output.keepOptimizerState = settings.keepOptimizerState
    output.tensorboard = settings.tensorboard
    print(compute.summary)
    printSettings(record)
    if let teacherModel {
        print("teacher: \(distillation.teacher), \(teacherModel.parameterCount) parameters; "
              + "student: \(student.parameterCount) parameters")
    }
    let label = ClassificationLoss(config: config, classCounts: counts)
    let step = DistillationStep(loss: DistillationLoss(settings: distillation, label: label),
                                precision: config.precision, clipNorm: config.clipNorm)
    try run.execute(training: train, classCounts: counts, test: test, output: output, validation: validation,
                    balanced: images.balanced, stopAfter: settings.stopAfterEpochs) {
        images, targets, epoch, rate, dropoutSeed in
        step.run(student: student, teacher: teacherModel, optimizer: optimizer, images: images, targets: targets,
                 epoch: epoch, learningRate: rate, dropoutSeed: dropoutSeed)
    }
}

extension DistillationSettings {
    /// Balanced distillation switched on for a run resumed after `epochsDone` epochs: refused
    /// once the adjusted phase has begun (the ending would differ from a fresh run's) or when the
    /// label loss has no adjusted phase.
    mutating func enableBalancedDistillation(at epochsDone: Int, config: TrainingConfig, file: String) throws {
        guard [.balancedSoftmax, .logitAdjusted].contains(config.loss) else {
            throw ConfigError(message: "\(file): --balanced-distillation needs a balanced-softmax or logit-adjusted run, "
                              + "this one is \(config.loss.rawValue)")
        }
        guard epochsDone <= config.adjustFromEpoch else {
            throw ConfigError(message: "\(file): is past epoch \(config.adjustFromEpoch), where the adjusted phase "
                              + "starts; --balanced-distillation can only branch before it")
        }
        guard kind != .none, !drwDistillation else {
            throw ConfigError(message: "\(file): --balanced-distillation needs a teacher term without --drw-distillation")
        }
        balancedDistillation = true
    }
}
