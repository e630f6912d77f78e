import Foundation
import ViTCore
import ViTStore

/// What `refitPostHocAdjustment` needs: a finished run's file, where to write the refitted copy,
/// the data (to make the run's validation split again) and the criterion.
public struct PostHocSettings {
    public var checkpoint: String
    public var output: String
    public var data: DataSource
    public var criterion = PostHocCriterion.logLoss
    /// The command line recorded in the output file (the command passes its own; the stage reads no process state).
    public var command: [String] = []

    public init(checkpoint: String, output: String, data: DataSource) {
        self.checkpoint = checkpoint
        self.output = output
        self.data = data
    }
}

/// Chooses a finished run's post-hoc adjustment again (vit-eval --refit-posthoc), for a file
/// trained with --validation-fraction: the head biases go back to the learned ones (kept under
/// /optimizer, or the saved ones plus the stored tau times the log prior), the run's validation
/// split is made again from its seed and checked against the stored indices, and tau is chosen
/// and folded as at the end of training. A checkpoint of such a run still training is accepted
/// too (the split made again; the copy scored before and after the fold, without optimizer
/// state), so that the stopping epoch can be chosen on the split as well. The input is never
/// overwritten.
@discardableResult
public func refitPostHocAdjustment(_ settings: PostHocSettings, compute: ComputeSettings) throws -> EvaluationResult {
    let path = settings.checkpoint
    try OutputFile.prepare(settings.output, inputs: [path])
    var file = try Checkpoint.load(from: path)
    let record = try ModelRecord(checkpoint: file, file: path)
    guard let training = record.training, training.validationFraction > 0 else {
        throw ConfigError(message: "\(path): was trained without --validation-fraction, so there is no split to choose tau on")
    }
    guard let counts = file.eval["class_counts"]?.int64s?.map({ Int($0) }) else {
        throw ConfigError(message: "\(path): has no /eval/class_counts")
    }
    // A finished run stores its split; the checkpoint of a run still training (a snapshot of one
    // epoch, to choose the stopping epoch on the split too) does not, and its split is made again.
    let stored = file.eval["validation_indices"]?.int64s?.map { Int($0) }
    let snapshot = stored == nil
    if snapshot && (file.logs["epoch"]?.count ?? 0) >= training.epochs {
        throw ConfigError(message: "\(path): has no /eval/validation_indices")
    }
    let previousTau = Float(file.eval["posthoc_tau"]?.doubles?.first ?? 0)
    let prior = logPrior(classCounts: counts)
    for name in Checkpoint.adjustableBiases {
        if let learned = file.optimizer["unadjusted." + name] {
            file.weights[name] = learned
        } else if var saved = file.weights[name]?.tensor {
            for c in 0..<saved.count { saved.data[c] += previousTau * prior[c] }
            file.weights[name] = StoredArray(saved)
        }
    }
    let (loaded, _, test) = try settings.data.load(seed: training.seed, imbalanceRatio: training.imbalanceRatio)
    let split = try validationSplit(loaded, fraction: training.validationFraction, seed: training.validationSeed)
    guard stored == nil || split.validationIndices == stored,
          classCounts(split.train.labels, classes: counts.count) == counts else {
        throw ConfigError(message: "\(path): its validation split, made again from the seed, differs from the stored one "
                          + "(other data, or other --limit-train)")
    }
    let model = try file.makeModel(file: path)
    if snapshot {
        // A snapshot: scored as it is first (the unadjusted figures), and written without the
        // optimizer state, since resuming from a folded head would train a different run.
        file.optimizer = [:]
        file.storeEvaluation(try evaluate(model, on: test, precision: compute.precision), model: model, classCounts: counts)
    }
    let (logits, labels) = collectLogits(model, on: split.validation, precision: compute.precision)
    var adjustment = PostHocAdjustment(validationLogits: logits, validationLabels: labels,
                                       validationIndices: split.validationIndices, classCounts: counts)
    adjustment.criterion = settings.criterion
    let result = try adjustment.fold(into: &file, path: path, test: test, precision: compute.precision,
                                     keepLearnedBiases: !file.optimizer.isEmpty)
    file.attributes["posthoc_command"] = .string(settings.command.joined(separator: " "))
    try file.save(to: settings.output)
    print("wrote \(settings.output)")
    return result
}

/// Folds the post-hoc tau that another run chose on its validation split into a model trained on
/// all the training images (vit-eval --posthoc-tau-from): a setting chosen on held-out images,
/// carried to the final run as any validation-chosen hyperparameter is, so the test set chooses
/// nothing. The prior is the target's own class counts. Refused: a source whose tau was not chosen
/// on a validation split, a target already adjusted, models with different class counts. The
/// inputs are never overwritten.
@discardableResult
public func transferPostHocTau(from source: String, to checkpoint: String, output: String, data: DataSource,
                               compute: ComputeSettings, command: [String]) throws -> EvaluationResult {
    try OutputFile.prepare(output, inputs: [checkpoint, source])
    let donor = try Checkpoint.load(from: source)
    guard let tau = donor.eval["posthoc_tau"]?.doubles?.first, donor.eval["validation_indices"] != nil else {
        throw ConfigError(message: "\(source): holds no post-hoc tau chosen on a validation split (train it with --validation-fraction)")
    }
    var file = try Checkpoint.load(from: checkpoint)
    if file.eval["posthoc_tau"] != nil {
        throw ConfigError(message: "\(checkpoint): already holds a post-hoc adjustment (use --refit-posthoc to choose it again)")
    }
    guard let counts = file.eval["class_counts"]?.int64s?.map({ Int($0) }) else {
        throw ConfigError(message: "\(checkpoint): has no /eval/class_counts, the prior to adjust by")
    }
    guard donor.eval["class_counts"]?.int64s?.count == counts.count else {
        throw ConfigError(message: "\(source) and \(checkpoint): different numbers of classes")
    }
    let result = try foldPostHocTau(tau, into: &file, path: checkpoint, classCounts: counts, test: try data.loadTest(),
                                    precision: compute.precision, keepLearnedBiases: !file.optimizer.isEmpty)
    file.attributes["posthoc_tau_source"] = .string(source)
    file.attributes["posthoc_command"] = .string(command.joined(separator: " "))
    try file.save(to: output)
    print(String(format: "post-hoc logit adjustment: tau %.2f, chosen on %@'s validation split, folded into the head's bias",
                 tau, source))
    print("adjusted " + describe(result))
    print("wrote \(output)")
    return result
}
