import ArgumentParser
import Foundation
import ViTCore
import ViTStages
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
        if resume != nil && training.recipe != nil {
            throw ValidationError("--resume takes the settings from the checkpoint; drop --recipe")
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
        let start: TrainSettings.Start
        if let resume {
            start = .resume(path: resume, epochs: training.epochs)
        } else {
            let recipe = try training.loadRecipe()
            start = .fresh(model: try model.config(recipe: recipe, defaultPreset: "cct-teacher"),
                           training: try training.config(data: data, recipe: recipe),
                           encoder: initFrom.map { .init(path: $0, learningRateScale: encoderLrScale ?? 0.01) })
        }
        var settings = TrainSettings(start: start, data: try data.source(), output: out)
        settings.command = CommandLine.arguments
        settings.precision = training.precision
        settings.stage = stage
        settings.keepOptimizerState = !noOptimizerState
        settings.tensorboard = training.tensorboard
        settings.stopAfterEpochs = stopAfterEpochs
        try reportingInterruption("vit-train", output: out,
                                  continueWith: "vit-train --resume \(out) --out \(resumedName(out))") {
            try ViTStages.train(settings)
        }
    }
}
