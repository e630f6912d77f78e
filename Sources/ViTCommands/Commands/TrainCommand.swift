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
        let run: TrainingRun
        if let resume {
            run = try TrainingRun.resume(from: resume, epochs: training.epochs).0
        } else {
            let config = try training.config(data: data)
            run = TrainingRun(model: try VisionTransformer(config: try model.config(), seed: config.seed), config: config)
        }
        let config = run.config, network = run.model, optimizer = run.optimizer
        let (train, counts, test) = try data.load(seed: config.seed, imbalanceRatio: config.imbalanceRatio)
        var output = TrainingRun.Output(path: out, stage: stage,
                                        configJSON: ConfigJSON.encode(model: network.config, sections: ["training": config]))
        output.keepOptimizerState = !noOptimizerState
        printConfig(output.configJSON)
        print("parameters: \(network.parameterCount)")

        let step = TrainingStep(loss: ClassificationLoss(kind: config.loss, labelSmoothing: config.labelSmoothing,
                                                         ohemRatio: config.ohemRatio, classCounts: counts),
                                precision: config.precision, clipNorm: config.clipNorm)
        try run.execute(training: train, classCounts: counts, test: test, output: output, stopAfter: stopAfterEpochs) {
            images, labels, rate, dropoutSeed in
            step.run(model: network, optimizer: optimizer, images: images, labels: labels,
                     learningRate: rate, dropoutSeed: dropoutSeed)
        }
    }
}
