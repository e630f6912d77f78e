import Foundation
import ViTCore
import ViTStore

/// What `pretrain` needs: the architecture, the pre-training settings (their precision is
/// replaced by the one `precision` resolves to), the training images and the output file.
public struct PretrainSettings {
    public var model: ModelConfig
    public var pretraining: PretrainingConfig
    /// Only the training images are read (its limit and directory; the imbalance ratio and seed
    /// come from `pretraining`), never labels or the test set.
    public var data: DataSource
    public var output: String
    public var precision = PrecisionChoice.auto
    /// The command line recorded in the output file (the command passes its own; the stage reads no process state).
    public var command: [String] = []

    public init(model: ModelConfig, pretraining: PretrainingConfig, data: DataSource, output: String) {
        self.model = model
        self.pretraining = pretraining
        self.data = data
        self.output = output
    }
}

/// Pre-trains an encoder without labels (vit-pretrain) and writes a checkpoint of stage
/// `pretrained` after each epoch.
public func pretrain(_ settings: PretrainSettings) throws {
    ProcessSetup.unbufferOutput()
    let compute = try ComputeSettings(settings.precision, training: true)
    print(compute.summary)
    var config = settings.pretraining
    config.precision = compute.precision
    let architecture = settings.model
    try OutputFile.prepare(settings.output, inputs: [])
    let (images, counts) = try loadTrainingImages(settings.data, config)
    let network = try PretrainingModel(config: architecture, masked: config.objective == .masked, seed: config.seed)
    var record = ModelRecord(stage: .pretrained, model: architecture, seed: config.seed)
    record.pretraining = config
    record.setOtherSection("compute", compute)
    printSettings(record)
    print("parameters: \(network.encoder.parameterCount) in the encoder and head, "
          + "\(network.trainableParameters.reduce(0) { $0 + $1.count }) trained (head excluded, decoder included)")

    let normalization = ChannelNormalization(mean: architecture.mean, std: architecture.std)
    let optimizer = AdamW(weightDecay: config.weightDecay)
    let step = PretrainingStep(maskRatio: config.maskRatio, normalization: normalization,
                               precision: config.precision, clipNorm: config.clipNorm)
    let trainer = Pretrainer(config: config, images: images, normalization: normalization, model: architecture) { batch, rate, seed in
        step.run(model: network, optimizer: optimizer, images: batch, learningRate: rate, seed: seed)
    }
    try trainer.run { trainer in
        try pretrainedCheckpoint(network, record: record, logs: trainer.logs, classCounts: counts,
                                 command: settings.command).save(to: settings.output)
    }
    print("wrote \(settings.output)")
}

/// The training set as the classifier will see it (the same seeded long-tailed subset), without the test set.
private func loadTrainingImages(_ data: DataSource, _ config: PretrainingConfig) throws -> (LabeledImages, [Int]) {
    try data.downloadIfMissing()
    var train = try CIFAR10.loadTraining(directory: data.directory)
    if let limit = data.limitTrain { train = train.subset(Array(0..<min(limit, train.count))) }
    let (subset, counts) = try longTailed(train, imbalanceRatio: config.imbalanceRatio, seed: config.seed)
    print("training images: \(subset.count) (imbalance ratio \(config.imbalanceRatio)), per class: \(counts)")
    return (subset, counts)
}

/// The encoder under the usual timm names, its untrained head (head_trained = 0), the decoder
/// (and mask token) under decoder.*, and the log with train_loss = reconstruction MSE.
private func pretrainedCheckpoint(_ network: PretrainingModel, record: ModelRecord, logs: [EpochLog],
                                  classCounts: [Int], command: [String]) -> Checkpoint {
    var file = Checkpoint(model: network.encoder, record: record, command: command)
    file.attributes["head_trained"] = .int(0)
    for parameter in network.decoder.parameters + [network.maskToken].compactMap({ $0 }) {
        file.weights[parameter.name] = StoredArray(parameter.value)
    }
    file.storeLogs(logs)
    file.eval["class_counts"] = StoredArray(ints: classCounts)
    return file
}
