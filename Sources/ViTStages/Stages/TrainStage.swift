import Foundation
import ViTCore
import ViTStore

/// What `train` needs: a new run (architecture, settings, maybe a pre-trained encoder) or the
/// file of one to continue, and where its checkpoints go.
public struct TrainSettings {
    public enum Start {
        /// A new run; `training.precision` is replaced by the one `precision` resolves to.
        case fresh(model: ModelConfig, training: TrainingConfig, encoder: EncoderStart?)
        /// The run saved in `path`, continued up to `epochs` (nil: the file's own).
        case resume(path: String, epochs: Int?)
    }

    /// The encoder of another file to start from (vit-pretrain's, or any checkpoint of this
    /// architecture), learning at `learningRateScale` times the heads' rate.
    public struct EncoderStart {
        public var path: String
        public var learningRateScale: Float
        public init(path: String, learningRateScale: Float) {
            self.path = path
            self.learningRateScale = learningRateScale
        }
    }

    public var start: Start
    public var data: DataSource
    public var output: String
    /// A resumed run keeps the file's precision unless this names another.
    public var precision = PrecisionChoice.auto
    public var stage = Stage.teacher
    /// Leave the optimizer state out of the final file (smaller; cannot be resumed).
    public var keepOptimizerState = true
    public var tensorboard: String?
    /// Stop (and write the checkpoint) after this many epochs of the schedule.
    public var stopAfterEpochs: Int?
    /// The command line recorded in the output file (the command passes its own; the stage reads no process state).
    public var command: [String] = []

    public init(start: Start, data: DataSource, output: String) {
        self.start = start
        self.data = data
        self.output = output
    }
}

/// Trains a model (vit-train, the pipeline's teacher) and writes its checkpoint after each epoch.
public func train(_ settings: TrainSettings) throws {
    ProcessSetup.unbufferOutput()
    var run: TrainingRun
    let compute: ComputeSettings
    var initAttributes: [String: AttributeValue] = [:]
    switch settings.start {
    case .resume(let path, let epochs):
        try OutputFile.prepare(settings.output, inputs: [path])
        let (resumed, file) = try TrainingRun.resume(from: path, epochs: epochs)
        run = resumed
        compute = try ComputeSettings.resumed(settings.precision, stored: run.config.precision)
        run.config.precision = compute.precision
        initAttributes = file.attributes.filter { $0.key == "init" || $0.key == "init_sha256" }
    case .fresh(let architecture, var config, let encoder):
        try OutputFile.prepare(settings.output, inputs: [encoder?.path].compactMap { $0 })
        compute = try ComputeSettings(settings.precision, training: true)
        config.precision = compute.precision
        let network = try VisionTransformer(config: architecture, seed: config.seed)
        if let encoder {
            config.encoderLearningRateScale = encoder.learningRateScale
            let hash = try PretrainedEncoder.copy(from: encoder.path, into: network)
            initAttributes = ["init": .string((encoder.path as NSString).lastPathComponent), "init_sha256": .string(hash)]
            print("encoder from \(encoder.path), learning rate x \(config.encoderLearningRateScale)")
        }
        run = TrainingRun(model: network, config: config)
    }
    let config = run.config, network = run.model, optimizer = run.optimizer
    let images = try run.loadImages(settings.data)
    let (train, counts, test, validation) = (images.train, images.counts, images.test, images.split)
    var record = ModelRecord(stage: settings.stage, model: network.config, seed: config.seed)
    record.training = config
    record.setOtherSection("compute", compute)
    var output = TrainingRun.Output(path: settings.output, record: record, command: settings.command)
    output.attributes = initAttributes
    output.keepOptimizerState = settings.keepOptimizerState
    output.tensorboard = settings.tensorboard
    print(compute.summary)
    printSettings(record)
    print("parameters: \(network.parameterCount)")

    let step = TrainingStep(loss: ClassificationLoss(config: config, classCounts: counts),
                            precision: config.precision, clipNorm: config.clipNorm)
    // The heads learn at the full rate; the rest (the encoder) at the scale, 1 unless fine-tuning.
    let encoderScale = config.encoderLearningRateScale
    try run.execute(training: train, classCounts: counts, test: test, output: output, validation: validation,
                    balanced: images.balanced, stopAfter: settings.stopAfterEpochs) {
        images, targets, epoch, rate, dropoutSeed in
        step.run(model: network, optimizer: optimizer, images: images, targets: targets, epoch: epoch,
                 learningRate: rate, dropoutSeed: dropoutSeed,
                 learningRateScale: { VisionTransformer.isHeadParameter($0.name) ? 1 : encoderScale })
    }
}
