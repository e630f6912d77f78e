import ArgumentParser
import Foundation
import ViTCore
import ViTStages
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
    @Flag(help: ArgumentHelp("Soft loss on logit-adjusted logits (student and teacher + tau log prior) while the label "
                             + "loss is adjusted (balanced softmax, logit-adjusted, from --adjust-from-epoch), so that "
                             + "the teacher term balances the classes as the label term does."))
    var adjustedDistillation = false
    @Flag(help: ArgumentHelp("From --adjust-from-epoch on (balanced softmax, logit-adjusted), weigh the teacher term "
                             + "by class-balanced (effective-number) weights, so that the student's mean prediction "
                             + "follows the teacher's over a balanced set rather than over the long-tailed images. "
                             + "With --resume: branch a run that has not reached --adjust-from-epoch."))
    var balancedDistillation = false

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
        if balancedDistillation && drwDistillation {
            throw ValidationError("--balanced-distillation and --drw-distillation both re-weight the teacher term; choose one")
        }
        if resume != nil && model.overridesArchitecture {
            throw ValidationError("--resume takes the architecture from the checkpoint; drop the model flags")
        }
        if resume != nil && training.recipe != nil {
            throw ValidationError("--resume takes the settings from the checkpoint; drop --recipe")
        }
    }

    public func run() throws {
        let start: DistillSettings.Start
        if let resume {
            start = .resume(path: resume, epochs: training.epochs)
        } else {
            var settings = DistillationSettings()
            settings.kind = distill
            settings.temperature = temperature
            settings.alpha = alpha
            settings.distillationToken = distToken
            settings.drwDistillation = drwDistillation
            settings.adjustedDistillation = adjustedDistillation
            settings.balancedDistillation = balancedDistillation
            settings.teacher = teacher ?? ""
            let recipe = try training.loadRecipe()
            var architecture = try model.config(recipe: recipe, defaultPreset: "cct-student")
            architecture.distillationToken = distToken
            let config = try training.config(data: data, recipe: recipe)
            if balancedDistillation && ![.balancedSoftmax, .logitAdjusted].contains(config.loss) {
                throw ConfigError(message: "--balanced-distillation needs --loss balanced-softmax or logit-adjusted, got \(config.loss.rawValue)")
            }
            start = .fresh(model: architecture, training: config, distillation: settings)
        }
        var settings = DistillSettings(start: start, data: try data.source(), output: out)
        settings.command = CommandLine.arguments
        settings.precision = training.precision
        settings.keepOptimizerState = !noOptimizerState
        settings.tensorboard = training.tensorboard
        settings.stopAfterEpochs = stopAfterEpochs
        settings.balancedDistillationFromResume = resume != nil && balancedDistillation
        try reportingInterruption("vit-distill", output: out,
                                  continueWith: "vit-distill --resume \(out) --out \(resumedName(out))") {
            try ViTStages.distill(settings)
        }
    }
}

extension DistillationKind: ExpressibleByArgument {}
