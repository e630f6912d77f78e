import Foundation
import ViTCore
import ViTStore

/// What a report needs from one checkpoint, read without building the model.
public struct RunSummary {
    public var path: String
    public var name: String { (path as NSString).lastPathComponent }
    public var stage: Stage
    public var command: String
    /// The `config` attribute as stored (the training report prints it).
    public var configJSON: String
    /// How the file was made: its architecture, stage sections and lineage.
    public var record: ModelRecord
    public var training: TrainingConfig? { record.training }
    public var distillation: DistillationSettings? { record.distillation }
    public var logs: [EpochLog]
    public var accuracy: Double?
    public var head: Double?, medium: Double?, tail: Double?
    public var perClass: [Double]
    public var classCounts: [Int]
    public var parameters: Int?
    public var nonzeroParameters: Int?
    public var bytes: Int
    public var attributes: [String: AttributeValue]

    public init(path: String) throws {
        let file = try Checkpoint.load(from: path)
        self.path = path
        attributes = file.attributes
        record = try ModelRecord(checkpoint: file, file: path)
        stage = record.stage
        command = (try? file.string("command", file: path)) ?? ""
        configJSON = try file.string("config", file: path)
        logs = try file.epochLogs(file: path, auxiliaryColumn: "distill_loss")
        func scalar(_ name: String) -> Double? { file.eval[name]?.doubles?.first }
        accuracy = scalar("accuracy")
        head = scalar("head_accuracy")
        medium = scalar("medium_accuracy")
        tail = scalar("tail_accuracy")
        perClass = file.eval["per_class_accuracy"]?.doubles ?? []
        classCounts = file.eval["class_counts"]?.int64s.map { $0.map { Int($0) } } ?? []
        parameters = file.eval["params"]?.int64s?.first.map { Int($0) }
        nonzeroParameters = file.eval["nonzero_params"]?.int64s?.first.map { Int($0) }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        bytes = (attributes[.size] as? NSNumber)?.intValue ?? 0
    }

    /// A short label of how the run was trained (`ModelRecord.trainingSummary`).
    public var recipe: String { record.trainingSummary }
}

extension ModelRecord {
    /// A short label of how the run was trained: "balanced-softmax from epoch 24, auto-augment,
    /// mixup 0.8/cutmix 1.0 to epoch 24, EMA 0.998, 30 epochs, bf16".
    public var trainingSummary: String {
        guard let training else { return "" }
        var loss = training.loss.rawValue
        if training.loss == .logitAdjusted { loss += " tau \(training.logitAdjustmentTau)" }
        if training.adjustFromEpoch > 0 { loss += " from epoch \(training.adjustFromEpoch) (CE before)" }
        var parts = [loss]
        if let drw = training.drwEpoch { parts.append("DRW from epoch \(drw)") }
        if let extra = training.augmentationSettings {
            if extra.policy != .none { parts.append(extra.policy.rawValue) }
            if extra.randomErasing > 0 { parts.append("erasing \(extra.randomErasing)") }
            if extra.mixup > 0 || extra.cutmix > 0 {
                parts.append("mixup \(extra.mixup)/cutmix \(extra.cutmix)"
                             + (extra.mixOffEpoch.map { " to epoch \($0)" } ?? ""))
            }
        }
        if training.emaDecay > 0 { parts.append("EMA \(training.emaDecay)") }
        if let distillation, distillation.kind != .none {
            parts.append(distillationSummary(distillation))
        }
        parts.append("\(training.epochs) epochs")
        parts.append(training.precision.rawValue)
        return parts.joined(separator: ", ")
    }
}

/// "soft distillation", then what differs from the defaults (T 4, alpha 0.9) and the long-tail options.
func distillationSummary(_ settings: DistillationSettings) -> String {
    var text = "\(settings.kind.rawValue) distillation" + (settings.distillationToken ? " + token" : "")
    if settings.kind == .soft {
        if settings.temperature != 4 { text += " T \(settings.temperature)" }
        if settings.alpha != 0.9 { text += " alpha \(settings.alpha)" }
        if settings.adjustedDistillation { text += " (adjusted)" }
    }
    if settings.balancedDistillation { text += " (class-balanced in the adjusted phase)" }
    if settings.drwDistillation { text += " (DRW on the teacher term)" }
    return text
}

public func percent(_ value: Double?) -> String {
    value.map { String(format: "%.2f%%", 100 * $0) } ?? "n/a"
}

public func grouped(_ value: Int?) -> String {
    guard let value else { return "n/a" }
    let digits = String(value)
    var result = ""
    for (i, character) in digits.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return String(result.reversed())
}

/// Arguments joined into a line a shell would split back the same way.
public func shellQuoted<S: Sequence>(_ arguments: S) -> String where S.Element == String {
    arguments.map { argument in
        argument.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=,:".contains($0) }) && !argument.isEmpty
            ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
}
