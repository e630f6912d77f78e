import ArgumentParser
import ViTCore
import ViTStages

extension PrecisionChoice: ExpressibleByArgument {}

public struct TrainingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A training recipe: a name in recipes/ (cct-teacher, cct-student) or a JSON file "
                               + "whose keys are these flags' names; a flag given here wins over it."))
    public var recipe: String?
    @Option(help: "Training epochs (default 30; with --resume, the total to reach).") public var epochs: Int?
    @Option(help: "Batch size (default 128).") public var batchSize: Int?
    @Option(help: "Peak learning rate of AdamW (default 1e-3).") public var lr: Float?
    @Option(help: "Learning rate at the end of the cosine decay (default 0).") public var minLr: Float?
    @Option(help: "AdamW weight decay, not on biases, norms, embeddings, tokens (default 0.05).")
    public var weightDecay: Float?
    @Option(help: "Linear warm-up epochs (default 5).") public var warmupEpochs: Int?
    @Option(help: "Label smoothing (default 0.1).") public var labelSmoothing: Float?
    @Option(help: "Clip the global gradient norm at this value (0 = off; default 1).") public var clipNorm: Float?
    @Option(help: ArgumentHelp("Loss: ce (default), weighted-ce, ohem, balanced-softmax or logit-adjusted "
                               + "(training logits + tau log prior)."))
    public var loss: LossKind?
    @Option(help: "tau of --loss logit-adjusted (1 = balanced softmax; default 1).") public var logitTau: Float?
    @Option(help: "Deferred logit adjustment: plain CE before this epoch (0-based), the adjusted loss from it (default 0).")
    public var adjustFromEpoch: Int?
    @Option(help: "Deferred re-weighting: class-balanced (effective-number) loss weights from this epoch (0-based) on.")
    public var drwEpoch: Int?
    @Option(help: "beta of the effective-number weights of --drw-epoch (default 0.9999).") public var drwBeta: Double?
    @Option(help: "Evaluate and save an exponential moving average of the weights with this decay (0 = off, the default).")
    public var ema: Float?
    @Option(help: "Evaluate on the test set every N epochs and after the last (default 1).") public var evalEvery: Int?
    @Option(help: ArgumentHelp("Hold out this share of each training class (at least 5 images) as a validation split; "
                               + "the post-hoc logit adjustment's tau is chosen on it, never on the test set (default 0)."))
    public var validationFraction: Double?
    @Option(help: ArgumentHelp("A balanced validation set of N images of each class, drawn from the training images the "
                               + "long-tailed subset left out (a class without enough gives the rest from its training "
                               + "images); evaluated after every epoch, recorded in the file (0 = none, the default)."))
    public var validationPerClass: Int?
    @Option(help: ArgumentHelp("Image policy before the crop: none (default), auto-augment (CIFAR-10 policy), "
                               + "rand-augment or trivial-augment."))
    public var policy: AugmentationPolicy?
    @Option(help: "Probability of random erasing per image (0 = off, the default).") public var randomErasing: Float?
    @Option(help: "Mixup alpha (0 = off, the default).") public var mixup: Float?
    @Option(help: "CutMix alpha (0 = off, the default); with --mixup, each batch picks one at even odds.")
    public var cutmix: Float?
    @Option(help: "Stop Mixup/CutMix from this epoch (0-based) on.") public var mixOffEpoch: Int?
    @Option(help: "Fraction of the batch OHEM keeps (default 0.5).") public var ohemRatio: Float?
    @Option(help: ArgumentHelp(precisionHelp)) public var precision: PrecisionChoice = .auto
    @Option(help: "Also write TensorBoard event files (scalars per step and per epoch) into this folder.")
    public var tensorboard: String?
    @Option(help: "Seed for initialisation, data order, augmentation, dropout and the long-tailed subset.")
    public var seed: UInt64 = 0

    public init() {}

    /// --precision resolved on this CPU: throws one line for bf16 without native support.
    public func compute() throws -> ComputeSettings { try ComputeSettings(precision, training: true) }

    /// The precision a resumed run continues in: the file's, unless --precision names another.
    /// A bf16 run cannot continue in bf16 on a CPU without native bf16: that is refused.
    public func resumedCompute(stored: Precision) throws -> ComputeSettings {
        try ComputeSettings.resumed(precision, stored: stored)
    }

    /// The recipe --recipe names, read and checked; nil without the flag.
    public func loadRecipe() throws -> Recipe? {
        try recipe.map { try Recipe.load($0) }
    }

    /// The flags given, as recipe values (nil where a flag was not given).
    public var givenValues: Recipe.Values {
        var values = Recipe.Values()
        values.epochs = epochs
        values.batchSize = batchSize
        values.lr = lr
        values.minLr = minLr
        values.weightDecay = weightDecay
        values.warmupEpochs = warmupEpochs
        values.labelSmoothing = labelSmoothing
        values.clipNorm = clipNorm
        values.loss = loss
        values.logitTau = logitTau
        values.adjustFromEpoch = adjustFromEpoch.map { .epoch($0) }
        values.drwEpoch = drwEpoch.map { .epoch($0) }
        values.drwBeta = drwBeta
        values.ema = ema
        values.evalEvery = evalEvery
        values.validationFraction = validationFraction
        values.validationPerClass = validationPerClass
        values.policy = policy
        values.randomErasing = randomErasing
        values.mixup = mixup
        values.cutmix = cutmix
        values.mixOffEpoch = mixOffEpoch.map { .epoch($0) }
        values.ohemRatio = ohemRatio
        return values
    }

    /// The settings of a new run: the flags over `recipe` over the defaults; the precision is
    /// resolved on this CPU (see `compute`).
    public func config(data: DataOptions, recipe: Recipe?) throws -> TrainingConfig {
        var flags = givenValues
        flags.imbalanceRatio = data.imbalanceRatio
        let values = flags.overriding(recipe?.values ?? Recipe.Values())
        var config = try values.trainingConfig(seed: seed, data: try data.source(), recipe: recipe?.reference)
        config.precision = try compute().precision
        return config
    }
}
