import Foundation
import ViTCore
import ViTStore

/// One checkpoint in a study table: what the file says about itself, plus speeds measured by
/// the report (nil when the report was asked not to time).
public struct StudyRow {
    public var run: RunSummary
    public var model: ModelConfig?
    /// Images/s at batch 256 and at batch 1, one entry per timed window.
    public var batchRates: [Double] = []
    public var singleRates: [Double] = []
    public var speedPrecision = "f32"

    public init(run: RunSummary) {
        self.run = run
        model = try? ConfigJSON.decodeModel(run.configJSON, file: run.path)
    }

    /// "patch 4, width 128, 4 heads, depth 4, MLP 256" (or "conv 3-64-128, ... seq pool"), with
    /// per-block widths when pruning changed them.
    public var architecture: String {
        guard let model else { return "?" }
        let tokenizer = model.tokenizer == .conv
            ? "conv " + ([model.channels] + [Int](repeating: model.convChannels, count: model.convLayers - 1) + [model.dim])
                .map(String.init).joined(separator: "-")
            : "patch \(model.patchSize)"
        var text = "\(tokenizer), width \(model.dim), \(model.heads) heads, depth \(model.depth), MLP \(model.mlpDim)"
        if model.pool != .cls { text += ", \(model.pool.rawValue) pool" }
        if model.norm == .batch { text += ", BatchNorm" }
        if model.dropPath > 0 { text += ", drop-path \(model.dropPath)" }
        if let heads = model.blockHeads { text += ", heads per block \(heads.map(String.init).joined(separator: "/"))" }
        if let widths = model.blockMlpDims { text += ", MLP per block \(widths.map(String.init).joined(separator: "/"))" }
        return text
    }

    /// How the file was made: the training recipe, or the pruning or quantization settings.
    public var howMade: String {
        switch run.stage {
        case .pruned:
            guard let pruning = try? ConfigJSON.decodeSection(PruningConfig.self, key: "pruning", from: run.configJSON,
                                                               file: run.path) else { return run.stage.rawValue }
            var text = pruning.structure == .unstructured
                ? String(format: "%.0f%% of weights, %@ %@", 100 * pruning.sparsity, pruning.scope.rawValue, pruning.schedule.rawValue)
                : String(format: "%.0f%% of %@", 100 * pruning.sparsity, pruning.structure.rawValue)
            if pruning.criterion == .taylor { text += ", Taylor criterion" }
            text += pruning.finetuneEpochs > 0 ? ", fine-tuned \(pruning.finetuneEpochs) epochs" : ", no fine-tuning"
            if case .string(let teacher)? = run.attributes["teacher"], !teacher.isEmpty { text += " with \(teacher)" }
            return text
        case .int8:
            guard let settings = try? ConfigJSON.decodeSection(QuantizationSettings.self, key: "quantization",
                                                                from: run.configJSON, file: run.path) else { return run.stage.rawValue }
            return settings.mode == .dynamic ? "int8, dynamic activations"
                : "int8, static activations (\(settings.calibration.rawValue), \(settings.calibrationImages) images)"
        case .imported:
            guard case .string(let source)? = run.attributes["source"] else { return run.stage.rawValue }
            return "imported from \(source)"
        default:
            return run.recipe
        }
    }
}

/// What a study's plot puts on its x axis. `classImages` draws one line per checkpoint instead:
/// each class's test accuracy against its number of training images.
public enum StudyAxis: String, CaseIterable {
    case params, nonzero, patchSize = "patch-size", dim, heads, sparsity, classImages = "class-images"

    var label: String {
        switch self {
        case .params: return "parameters (log scale)"
        case .nonzero: return "non-zero parameters (log scale)"
        case .patchSize: return "patch size"
        case .dim: return "token width"
        case .heads: return "attention heads"
        case .sparsity: return "sparsity (%)"
        case .classImages: return "training images of the class (log scale)"
        }
    }

    func value(_ row: StudyRow) -> Double? {
        switch self {
        case .params: return row.run.parameters.map(Double.init)
        case .nonzero: return row.run.nonzeroParameters.map(Double.init)
        case .patchSize: return row.model.map { Double($0.patchSize) }
        case .dim: return row.model.map { Double($0.dim) }
        case .heads: return row.model.map { Double($0.heads) }
        case .sparsity:
            guard let total = row.run.parameters, let nonzero = row.run.nonzeroParameters, total > 0 else { return nil }
            return 100 * (1 - Double(nonzero) / Double(total))
        case .classImages: return nil
        }
    }
}

/// A study's markdown: a table with one row per checkpoint, the plot if there is one, then the notes.
public func studyMarkdown(title: String, rows: [StudyRow], plotFile: String?, notes: String?,
                          generatedBy: String) -> String {
    let timed = rows.contains { !$0.batchRates.isEmpty }
    var lines = ["# \(title)", "",
                 "Generated by `\(generatedBy)`. Accuracy is on the balanced CIFAR-10 test set (10,000 images), "
                   + "read from each checkpoint's `/eval`; head = classes 0-2, medium = 3-6, tail = 7-9."]
    if timed {
        lines.append("Speeds were measured by this command on the machine that ran it (\(workerCount) threads): "
                     + "images/s at batch 256 and latency at batch 1, median of the timed windows with their range.")
    }
    lines.append("")
    var header = "| model | stage | made by | architecture | parameters | non-zero | bytes on disk | accuracy | head | medium | tail |"
    var rule = "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    if timed {
        header += " images/s (batch 256) | latency (batch 1) |"
        rule += " --- | --- |"
    }
    lines += [header, rule]
    for row in rows {
        let r = row.run
        var line = "| \(r.name) | \(r.stage) | \(row.howMade) | \(row.architecture) | \(grouped(r.parameters)) "
            + "| \(grouped(r.nonzeroParameters)) | \(grouped(r.bytes)) | \(percent(r.accuracy)) | \(percent(r.head)) "
            + "| \(percent(r.medium)) | \(percent(r.tail)) |"
        if timed {
            line += " \(rateText(row.batchRates)) (\(row.speedPrecision)) | \(latencyText(row.singleRates)) |"
        }
        lines.append(line)
    }
    lines.append("")
    if let plotFile { lines += ["![\(title)](\((plotFile as NSString).lastPathComponent))", ""] }
    if let notes, !notes.isEmpty { lines += [notes, ""] }
    return lines.joined(separator: "\n")
}

extension StudyRow {
    /// The pruning settings of a pruned file.
    var pruning: PruningConfig? {
        guard run.stage == .pruned else { return nil }
        return try? ConfigJSON.decodeSection(PruningConfig.self, key: "pruning", from: run.configJSON, file: run.path)
    }

    /// The plot series the row belongs to: its stage, and for a pruned file how it was pruned, so
    /// that one-shot and fine-tuned points (or two criteria) form separate lines.
    var seriesName: String {
        guard let pruning else { return run.stage.rawValue }
        var name = pruning.structure == .unstructured ? "pruned" : "\(pruning.structure.rawValue) removed"
        if pruning.criterion == .taylor { name += ", Taylor" }
        name += pruning.finetuneEpochs > 0 ? (pruning.schedule == .gradual ? ", gradual" : ", fine-tuned") : ", one-shot"
        return name
    }

    /// The control of a pruning study: the same fine-tuning with nothing pruned.
    var isDenseControl: Bool {
        guard let pruning else { return false }
        return pruning.sparsity == 0 && pruning.structure == .unstructured && pruning.finetuneEpochs > 0
    }
}

/// Accuracy against the chosen axis, one series per stage (per way of pruning, for pruned files),
/// each point labelled with its file name; a dense fine-tuned control is a dashed reference line.
public func studyPlot(title: String, rows: [StudyRow], axis: StudyAxis) -> SVGPlot {
    if axis == .classImages { return perClassPlot(title: title, rows: rows) }
    let logX = axis == .params || axis == .nonzero || axis == .dim
    var plot = SVGPlot(title: title, xLabel: axis.label + (axis == .dim ? " (log scale)" : ""),
                       yLabel: "test accuracy (%)", logX: logX)
    let controls = rows.filter(\.isDenseControl), others = rows.filter { !$0.isDenseControl }
    for (i, name) in orderedUnique(others.map(\.seriesName)).enumerated() {
        let mine = others.filter { $0.seriesName == name }
            .compactMap { row -> (x: Double, y: Double, label: String)? in
                guard let x = axis.value(row), let y = row.run.accuracy else { return nil }
                return (x, 100 * y, (row.run.name as NSString).deletingPathExtension)
            }
            .sorted { $0.x < $1.x }
        guard !mine.isEmpty else { continue }
        var series = SVGPlot.Series(name: name, points: mine.map { ($0.x, $0.y) },
                                    color: SVGPlot.palette[i % SVGPlot.palette.count],
                                    marker: SVGPlot.Marker.allCases[i % 5], line: !logX && mine.count > 1)
        series.labels = mine.map(\.label)
        plot.series.append(series)
    }
    let xs = plot.series.flatMap(\.points).map(\.x)
    for control in controls {
        guard let y = control.run.accuracy, let low = xs.min(), let high = xs.max(), low < high else { continue }
        var line = SVGPlot.Series(name: (control.run.name as NSString).deletingPathExtension + " (no pruning, same fine-tuning)",
                                  points: [(low, 100 * y), (high, 100 * y)], color: "#555555", marker: .none, line: true)
        line.dashed = true
        plot.series.append(line)
    }
    return plot
}

/// Per-class test accuracy against the class's training images, one line per checkpoint: where
/// an imbalance remedy moves accuracy from the head classes to the tail.
private func perClassPlot(title: String, rows: [StudyRow]) -> SVGPlot {
    var plot = SVGPlot(title: title, xLabel: StudyAxis.classImages.label, yLabel: "test accuracy of the class (%)", logX: true)
    for (i, row) in rows.enumerated() where row.run.perClass.count == row.run.classCounts.count {
        let points = zip(row.run.classCounts, row.run.perClass).map { (x: Double($0), y: 100 * $1) }.sorted { $0.x < $1.x }
        plot.series.append(SVGPlot.Series(name: (row.run.name as NSString).deletingPathExtension, points: points,
                                          color: SVGPlot.palette[i % SVGPlot.palette.count],
                                          marker: SVGPlot.Marker.allCases[i % 5], line: true))
    }
    return plot
}

private func rateText(_ rates: [Double]) -> String {
    guard let median = medianOf(rates) else { return "n/a" }
    return rates.count > 1 ? String(format: "%.0f [%.0f-%.0f]", median, rates.min()!, rates.max()!) : String(format: "%.0f", median)
}

private func latencyText(_ rates: [Double]) -> String {
    guard let median = medianOf(rates) else { return "n/a" }
    return rates.count > 1 ? String(format: "%.2f ms [%.2f-%.2f]", 1000 / median, 1000 / rates.max()!, 1000 / rates.min()!)
        : String(format: "%.2f ms", 1000 / median)
}

private func medianOf(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.sorted()[values.count / 2]
}
