import ArgumentParser
import Foundation
import ViTCore
import ViTStore

public struct TrainCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-train",
        abstract: "Train a ViT on CIFAR-10 (balanced or long-tailed) and write an HDF5 checkpoint.",
        discussion: "Evaluates on the balanced 10,000-image test set after every epoch and rewrites the checkpoint (atomically) after each.")

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingOptions

    @Option(help: "Output checkpoint.") var out: String = "models/teacher.h5"
    @Option(help: "Continue a run from its checkpoint (weights, optimizer state, log); settings come from the file.")
    var resume: String?
    @Flag(help: "Leave the optimizer state out of the final file (smaller; cannot be resumed).")
    var noOptimizerState = false
    @Option(help: "Stage recorded in the file: teacher, student or study.") var stage: Stage = .teacher
    @Option(name: .customLong("init"),
            help: "Start from the encoder of this file (vit-pretrain's, or any checkpoint of this architecture); the head starts fresh.")
    var initFrom: String?
    @Option(help: "Learning-rate factor of the encoder copied by --init (default 0.01, the course report's; 0 freezes it).")
    var encoderLrScale: Float?
    @Option(help: ArgumentHelp("Stop (and write the checkpoint) after this many epochs of the schedule.",
                               visibility: .hidden))
    var stopAfterEpochs: Int?

    public func validate() throws {
        if resume != nil && model.overridesArchitecture {
            throw ValidationError("--resume takes the architecture from the checkpoint; drop the model flags")
        }
        if resume != nil && initFrom != nil {
            throw ValidationError("--init starts a new run and --resume continues one; use one of them")
        }
        if encoderLrScale != nil && initFrom == nil {
            throw ValidationError("--encoder-lr-scale applies to the encoder copied by --init; add --init")
        }
        if let encoderLrScale, !(encoderLrScale >= 0 && encoderLrScale.isFinite) {
            throw ValidationError("--encoder-lr-scale must be at least 0, got \(encoderLrScale)")
        }
    }

    public func run() throws {
        ProcessSetup.unbufferOutput()
        try OutputFile.prepare(out, inputs: [resume, initFrom].compactMap { $0 })
        var run: TrainingRun
        let compute: ComputeSettings
        var initAttributes: [String: AttributeValue] = [:]
        if let resume {
            let (resumed, file) = try TrainingRun.resume(from: resume, epochs: training.epochs)
            run = resumed
            compute = try training.resumedCompute(stored: run.config.precision)
            run.config.precision = compute.precision
            initAttributes = file.attributes.filter { $0.key == "init" || $0.key == "init_sha256" }
        } else {
            compute = try training.compute()
            var config = try training.config(data: data)
            let network = try VisionTransformer(config: try model.config(), seed: config.seed)
            if let initFrom {
                config.encoderLearningRateScale = encoderLrScale ?? 0.01
                let hash = try PretrainedEncoder.copy(from: initFrom, into: network)
                initAttributes = ["init": .string((initFrom as NSString).lastPathComponent), "init_sha256": .string(hash)]
                print("encoder from \(initFrom), learning rate x \(config.encoderLearningRateScale)")
            }
            run = TrainingRun(model: network, config: config)
        }
        let config = run.config, network = run.model, optimizer = run.optimizer
        let (loaded, loadedCounts, test) = try data.load(seed: config.seed, imbalanceRatio: config.imbalanceRatio)
        let (train, counts, validation) = try run.carveValidation(from: loaded, counts: loadedCounts)
        var output = TrainingRun.Output(path: out, stage: stage,
                                        configJSON: ConfigJSON.encode(model: network.config,
                                                                      sections: ["training": config, "compute": compute]))
        output.attributes = initAttributes
        output.keepOptimizerState = !noOptimizerState
        output.tensorboard = training.tensorboard
        print(compute.summary)
        printConfig(output.configJSON)
        print("parameters: \(network.parameterCount)")

        let step = TrainingStep(loss: ClassificationLoss(config: config, classCounts: counts),
                                precision: config.precision, clipNorm: config.clipNorm)
        // The heads learn at the full rate; the rest (the encoder) at the scale, 1 unless fine-tuning.
        let encoderScale = config.encoderLearningRateScale
        try run.execute(training: train, classCounts: counts, test: test, output: output, validation: validation,
                        stopAfter: stopAfterEpochs) {
            images, targets, epoch, rate, dropoutSeed in
            step.run(model: network, optimizer: optimizer, images: images, targets: targets, epoch: epoch,
                     learningRate: rate, dropoutSeed: dropoutSeed,
                     learningRateScale: { VisionTransformer.isHeadParameter($0.name) ? 1 : encoderScale })
        }
    }
}
