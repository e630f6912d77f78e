import Foundation
import ViTCore
import ViTReports
import ViTStore

/// The evaluation report shared by vit-train and vit-eval.
public func describe(_ result: EvaluationResult, classNames: [String] = LabeledImages.classNames) -> String {
    var lines = [String(format: "accuracy %.2f%% on %d test images (head %.2f%%, medium %.2f%%, tail %.2f%%)",
                        100 * result.accuracy, result.count, 100 * result.head, 100 * result.medium, 100 * result.tail)]
    let names = result.classes == classNames.count ? classNames : (0..<result.classes).map { "class \($0)" }
    lines.append("per class: " + zip(names, result.perClassAccuracy)
        .map { "\($0.0) " + String(format: "%.1f%%", 100 * $0.1) }.joined(separator: ", "))
    lines.append("confusion (rows = true class, columns = predicted):")
    for row in 0..<result.classes {
        let cells = (0..<result.classes).map { String(format: "%5d", result.confusion[row * result.classes + $0]) }
        let name = names[row]
        lines.append(String(repeating: " ", count: max(0, 12 - name.count)) + name + " " + cells.joined())
    }
    return lines.joined(separator: "\n")
}

/// What a person needs to know of a run's settings before it starts, in a few short lines: the
/// model, how it is made, and the optimizer (every setting is in the output file's `config`
/// attribute; `h5dump -a config FILE` or vit-eval shows it).
public func printSettings(_ record: ModelRecord) {
    print("model: \(record.model.summary)")
    let how = record.howMade
    if !how.isEmpty { print("\(record.stage.rawValue): \(how)") }
    if let training = record.training, record.stage != .pruned || (record.pruning?.finetuneEpochs ?? 0) > 0 {
        print(String(format: "optimizer: AdamW, lr %g to %g after %d warm-up epochs, weight decay %g, batch %d, label smoothing %g; seed %d",
                     training.learningRate, training.minimumLearningRate, training.warmupEpochs, training.weightDecay,
                     training.batchSize, training.labelSmoothing, Int(record.seed)))
    }
    if let teacher = record.teacher, !teacher.name.isEmpty { print("teacher: \(teacher.name)") }
}
