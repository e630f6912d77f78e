import Foundation
import ViTCore
import ViTStore

/// Post-hoc logit adjustment (Menon et al. 2021), as a run's last step or on a finished file:
/// tau chosen on the validation split (by balanced log loss), then folded into the saved model,
/// so that every later stage (evaluation, pruning, int8, ONNX) sees the adjusted logits
/// z - tau log prior: the head's bias (and the distillation head's, since inference averages the
/// two) becomes b - tau log prior. The file's evaluation becomes the folded model's; the
/// unadjusted figures stay beside it, and with `keepLearnedBiases` the learned biases too, so that
/// --resume continues from them.
struct PostHocAdjustment {
    /// The unadjusted model's logits on the validation images, and their labels.
    var validationLogits: Tensor
    var validationLabels: [Int32]
    /// The split's positions in the long-tailed training set (--validation-fraction), stored as
    /// `validation_indices`; nil for a balanced validation set, which stores its own.
    var validationIndices: [Int]?
    /// Training images per class (without the validation split): the prior.
    var classCounts: [Int]
    var criterion = PostHocCriterion.logLoss

    /// Chooses tau, folds it into `file` (whose head biases must be the learned ones) and scores the
    /// folded model on `test`.
    func fold(into file: inout Checkpoint, path: String, test: LabeledImages, precision: Precision,
              keepLearnedBiases: Bool) throws -> EvaluationResult {
        let prior = logPrior(classCounts: classCounts)
        let choice = choosePostHocTau(validationLogits: validationLogits, labels: validationLabels, logPrior: prior,
                                      criterion: criterion)
        let adjusted = try foldPostHocTau(Double(choice.tau), into: &file, path: path, classCounts: classCounts,
                                          test: test, precision: precision, keepLearnedBiases: keepLearnedBiases)
        if let validationIndices { file.eval["validation_indices"] = StoredArray(ints: validationIndices) }
        file.eval["posthoc_validation_balanced_accuracy"] = StoredArray(shape: [], values: .float64([choice.balancedAccuracy]))
        file.eval["posthoc_validation_balanced_log_loss"] = StoredArray(shape: [], values: .float64([choice.balancedLogLoss]))
        print(String(format: "post-hoc logit adjustment: tau %.2f chosen by %@ on %d validation images (balanced "
                     + "accuracy %.2f%%, log loss %.4f), folded into the head's bias", choice.tau, criterion.rawValue,
                     validationLabels.count, 100 * choice.balancedAccuracy, choice.balancedLogLoss))
        print("adjusted " + describe(adjusted))
        return adjusted
    }
}

/// Folds -tau log prior (the prior from `classCounts`) into `file`'s head biases, whose values must
/// be the learned ones, keeps the unadjusted evaluation beside the new one, scores the folded model
/// on `test` and stores that evaluation with the tau: the part shared by a tau chosen on this run's
/// validation split and one carried from another run's (vit-eval --posthoc-tau-from).
func foldPostHocTau(_ tau: Double, into file: inout Checkpoint, path: String, classCounts: [Int],
                    test: LabeledImages, precision: Precision, keepLearnedBiases: Bool) throws -> EvaluationResult {
    let prior = logPrior(classCounts: classCounts)
    file.foldLogitOffsets(prior.map { -Float(tau) * $0 }, keepLearned: keepLearnedBiases)
    for key in ["accuracy", "per_class_accuracy", "head_accuracy", "medium_accuracy", "tail_accuracy"]
        where file.eval["unadjusted_" + key] == nil {
        file.eval["unadjusted_" + key] = file.eval[key]
    }
    let folded = try file.makeModel(file: path)
    let adjusted = try evaluate(folded, on: test, precision: precision)
    file.storeEvaluation(adjusted, model: folded, classCounts: classCounts)
    file.eval["posthoc_tau"] = StoredArray(shape: [], values: .float64([tau]))
    file.eval["posthoc_accuracy"] = file.eval["accuracy"]
    file.eval["posthoc_per_class_accuracy"] = file.eval["per_class_accuracy"]
    return adjusted
}
