import ArgumentParser
import Foundation
import ViTCore
import ViTStages
import ViTStore

public struct PretrainCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-pretrain",
        abstract: "Pre-train a ViT encoder without labels by reconstructing the training images.",
        discussion: "The encoder's patch tokens go through a small decoder (ConvTranspose2d with kernel = stride = "
            + "patch size, GELU, 3x3 Conv2d, tanh) that reconstructs the image scaled to [-1, 1] (the course "
            + "report's design); the loss is the mean squared error. With --mask-ratio R > 0, a fraction R of "
            + "each image's patches is replaced by a learned mask token and the loss counts those patches only. "
            + "Only the training images are read (the long-tailed subset with --imbalance-ratio), never labels "
            + "or the test set. Fine-tune with: vit-train --init FILE --encoder-lr-scale 0.01.")

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions

    @Option(help: "Pre-training epochs.") var epochs: Int = 30
    @Option(help: "Batch size.") var batchSize: Int = 128
    @Option(help: "Peak learning rate (AdamW).") var lr: Float = 1e-3
    @Option(help: "Learning rate at the end of the cosine decay.") var minLr: Float = 0
    @Option(help: "AdamW weight decay (not on biases, norms, embeddings, tokens).") var weightDecay: Float = 0.05
    @Option(help: "Linear warm-up epochs.") var warmupEpochs: Int = 5
    @Option(help: "Clip the global gradient norm at this value (0 = off).") var clipNorm: Float = 1
    @Option(help: ArgumentHelp(precisionHelp)) var precision: PrecisionChoice = .auto
    @Option(help: "Seed for initialisation, data order, augmentation, dropout, masks and the long-tailed subset.")
    var seed: UInt64 = 0
    @Option(help: "Fraction of patches masked and reconstructed, in [0, 1); 0 reconstructs the whole image.")
    var maskRatio: Float = 0
    @Option(help: "Output file (stage \"pretrained\": encoder, untrained head, decoder).")
    var out: String = "models/pretrained.h5"

    public func validate() throws {
        do { try settings(precision: .f32).validate() } catch let error as ConfigError { throw ValidationError(error.message) }
    }

    func settings(precision: Precision) -> PretrainingConfig {
        var config = PretrainingConfig()
        config.objective = maskRatio > 0 ? .masked : .image
        config.maskRatio = maskRatio
        config.epochs = epochs
        config.batchSize = batchSize
        config.learningRate = lr
        config.minimumLearningRate = minLr
        config.weightDecay = weightDecay
        config.warmupEpochs = warmupEpochs
        config.clipNorm = clipNorm
        config.precision = precision
        config.augmentation = data.augment
        config.imbalanceRatio = data.imbalanceRatio
        config.seed = seed
        return config
    }

    public func run() throws {
        ProcessSetup.unbufferOutput()
        let compute = try ComputeSettings(precision, training: true)
        print(compute.summary)
        let config = settings(precision: compute.precision)
        let architecture = try model.config(defaultPreset: "teacher")
        try OutputFile.prepare(out, inputs: [])
        let (images, counts) = try loadTrainingImages(config)
        let network = try PretrainingModel(config: architecture, masked: config.objective == .masked, seed: config.seed)
        let configJSON = ConfigJSON.encode(model: architecture, sections: ["pretraining": config, "compute": compute])
        printConfig(configJSON)
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
            try Self.checkpoint(network, config: config, configJSON: configJSON, logs: trainer.logs, classCounts: counts)
                .save(to: out)
        }
        print("wrote \(out)")
    }

    /// The training set as the classifier will see it (the same seeded long-tailed subset), without the test set.
    private func loadTrainingImages(_ config: PretrainingConfig) throws -> (LabeledImages, [Int]) {
        try data.source().downloadIfMissing()
        var train = try CIFAR10.loadTraining(directory: data.directory)
        if let limit = data.limitTrain { train = train.subset(Array(0..<min(limit, train.count))) }
        let (subset, counts) = try longTailed(train, imbalanceRatio: config.imbalanceRatio, seed: config.seed)
        print("training images: \(subset.count) (imbalance ratio \(config.imbalanceRatio)), per class: \(counts)")
        return (subset, counts)
    }

    /// The encoder under the usual timm names, its untrained head (head_trained = 0), the decoder
    /// (and mask token) under decoder.*, and the log with train_loss = reconstruction MSE.
    static func checkpoint(_ network: PretrainingModel, config: PretrainingConfig, configJSON: String,
                           logs: [EpochLog], classCounts: [Int]) -> Checkpoint {
        var file = Checkpoint(model: network.encoder, stage: .pretrained, config: configJSON, seed: config.seed,
                              command: CommandLine.arguments)
        file.attributes["head_trained"] = .int(0)
        for parameter in network.decoder.parameters + [network.maskToken].compactMap({ $0 }) {
            file.weights[parameter.name] = StoredArray(parameter.value)
        }
        file.storeLogs(logs)
        file.eval["class_counts"] = StoredArray(ints: classCounts)
        return file
    }
}
