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
    @Option(help: "Stage name recorded in the file.") var stage: String = "teacher"
    @Option(help: ArgumentHelp("Stop (and write the checkpoint) after this many epochs of the schedule.",
                               visibility: .hidden))
    var stopAfterEpochs: Int?

    public func validate() throws {
        if resume != nil && model.overridesArchitecture {
            throw ValidationError("--resume takes the architecture from the checkpoint; drop the model flags")
        }
    }

    public func run() throws {
        ProcessSetup.unbufferOutput()
        try OutputFile.prepare(out, inputs: [resume].compactMap { $0 })
        let (network, config, logs, optimizer) = try makeRun()
        let (train, counts, test) = try data.load(seed: config.seed, imbalanceRatio: config.imbalanceRatio)
        let configJSON = ConfigJSON.encode(model: network.config, sections: ["training": config])
        printConfig(configJSON)
        print("parameters: \(network.parameterCount)")

        let step = TrainingStep(loss: ClassificationLoss(kind: config.loss, labelSmoothing: config.labelSmoothing,
                                                         ohemRatio: config.ohemRatio, classCounts: counts),
                                precision: config.precision, clipNorm: config.clipNorm)
        let trainer = Trainer(model: network, config: config, training: train, test: test, logs: logs) { images, labels, rate, dropoutSeed in
            step.run(model: network, optimizer: optimizer, images: images, labels: labels,
                     learningRate: rate, dropoutSeed: dropoutSeed)
        }
        func checkpoint(withOptimizer: Bool) -> Checkpoint {
            var file = Checkpoint(model: network, stage: stage, config: configJSON, seed: config.seed,
                                  command: CommandLine.arguments)
            file.storeLogs(trainer.logs)
            file.eval["class_counts"] = StoredArray(ints: counts)
            if withOptimizer { file.storeOptimizer(optimizer) }
            return file
        }
        try trainer.run(stopAfter: stopAfterEpochs) { _ in try checkpoint(withOptimizer: true).save(to: out) }

        let result = evaluate(network, on: test, precision: config.precision)
        print(describe(result))
        var final = checkpoint(withOptimizer: !noOptimizerState)
        final.storeEvaluation(result, model: network, classCounts: counts)
        try final.save(to: out)
        print("wrote \(out)")
    }

    /// A new model and optimizer, or the ones saved in --resume.
    private func makeRun() throws -> (VisionTransformer, TrainingConfig, [EpochLog], AdamW) {
        guard let resume else {
            let config = try training.config(data: data)
            let network = try VisionTransformer(config: try model.config(), seed: config.seed)
            return (network, config, [], AdamW(weightDecay: config.weightDecay))
        }
        let file = try Checkpoint.load(from: resume)
        let json = try file.string("config", file: resume)
        guard var config = try ConfigJSON.decodeSection(TrainingConfig.self, key: "training", from: json, file: resume) else {
            throw ValidationError("\(resume): has no training settings to resume")
        }
        if let epochs = training.epochs { config.epochs = epochs }
        let network = try file.makeModel(file: resume)
        let optimizer = AdamW(weightDecay: config.weightDecay)
        try file.restoreOptimizer(optimizer, model: network, file: resume)
        let logs = try file.epochLogs(file: resume)
        if logs.count >= config.epochs {
            throw ValidationError("\(resume) already has \(logs.count) epochs; pass --epochs above that to continue")
        }
        print("resuming \(resume) after epoch \(logs.count)")
        return (network, config, logs, optimizer)
    }
}
