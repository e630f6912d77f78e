import Foundation
import ViTCore
import ViTReports

/// What a study's report needs: its checkpoints in the table's order, the markdown file, and
/// optionally notes, a plot and inference timing (vit-report table and training, a plan's table step).
public struct StudyReportSettings {
    public enum Kind: String, CaseIterable, Sendable {
        /// One row per checkpoint (stage, how made, architecture, sizes, accuracy with head/medium/tail).
        case table
        /// The first checkpoint's training run in detail, compared with the others.
        case training
    }

    public var kind = Kind.table
    public var checkpoints: [String]
    public var title: String
    public var output: String
    /// A markdown file whose text goes below the table.
    public var notes: String?
    /// An SVG file beside the markdown: accuracy against `axis` (tables only).
    public var plot: String?
    public var axis = StudyAxis.nonzero
    /// Seconds per timed window of inference (0: none; tables only).
    public var speedSeconds = 0.0
    public var repeats = 3
    /// The command the report says made it.
    public var generatedBy = ""

    public init(checkpoints: [String], title: String, output: String) {
        (self.checkpoints, self.title, self.output) = (checkpoints, title, output)
    }
}

/// Writes a study's report (and its plot), reading everything from the checkpoints.
public func writeStudyReport(_ settings: StudyReportSettings) throws {
    let noteText = try settings.notes.map { path -> String in
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(message: "\(path): cannot read the notes")
        }
        return text
    }
    try OutputFile.prepare(settings.output, inputs: settings.checkpoints)
    switch settings.kind {
    case .training:
        let runs = try settings.checkpoints.map { try RunSummary(path: $0) }
        try OutputFile.write(trainingReport(title: settings.title, main: runs[0], compared: Array(runs.dropFirst()),
                                            notes: noteText, generatedBy: settings.generatedBy), to: settings.output)
        print("wrote \(settings.output)")
    case .table:
        var rows: [StudyRow] = []
        for path in settings.checkpoints {
            var row = StudyRow(run: try RunSummary(path: path))
            if settings.speedSeconds > 0 {
                let loaded = try LoadedModel(path: path)
                row.speedPrecision = loaded.inferencePrecisionName
                row.batchRates = measureInferenceWindows(loaded.model, batch: 256, seconds: settings.speedSeconds,
                                                         repeats: settings.repeats)
                row.singleRates = measureInferenceWindows(loaded.model, batch: 1, seconds: settings.speedSeconds,
                                                          repeats: settings.repeats)
            }
            print("\(row.run.name): \(row.howMade), accuracy \(percent(row.run.accuracy))")
            rows.append(row)
        }
        let plotPath = settings.plot.map {
            ((settings.output as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
        }
        if let plotPath { try OutputFile.prepare(plotPath, inputs: settings.checkpoints) }
        try OutputFile.write(studyMarkdown(title: settings.title, rows: rows, plotFile: plotPath, notes: noteText,
                                           generatedBy: settings.generatedBy), to: settings.output)
        print("wrote \(settings.output)")
        if let plotPath {
            try OutputFile.write(studyPlot(title: settings.title, rows: rows, axis: settings.axis).render(), to: plotPath)
            print("wrote \(plotPath)")
        }
    }
}
