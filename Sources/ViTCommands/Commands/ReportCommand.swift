import ArgumentParser
import Foundation
import ViTCore

public struct ReportCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-report",
        abstract: "Write markdown reports (and plots) from vitc checkpoints.",
        subcommands: [SummaryReportCommand.self, TrainingReportCommand.self, StudyReportCommand.self],
        defaultSubcommand: SummaryReportCommand.self)
}

struct TrainingReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "Report one training run and compare it with others.")

    @Argument(help: "The run to report, then the runs to compare it with.") var checkpoints: [String]
    @Option(help: "Report title.") var title: String = "Training report"
    @Option(help: "A markdown file whose text is added as the report's notes.") var notes: String?
    @Option(help: "Output markdown file.") var out: String

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("name at least one checkpoint") }
    }

    func run() throws {
        let runs = try checkpoints.map { try RunSummary(path: $0) }
        let noteText = try notes.map { try String(contentsOfFile: $0, encoding: .utf8) }
        try OutputFile.prepare(out, inputs: checkpoints)
        let generatedBy = shellQuoted(["vit-report", "training"] + CommandLine.arguments.dropFirst(2))
        let text = trainingReport(title: title, main: runs[0], compared: Array(runs.dropFirst()), notes: noteText,
                                  generatedBy: generatedBy)
        try text.write(toFile: out, atomically: true, encoding: .utf8)
        print("wrote \(out)")
    }
}

struct SummaryReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Write summary.md, accuracy-vs-params.svg and curves.svg for a set of checkpoints.")

    @Argument(help: "Checkpoints (default: models/*.h5).") var checkpoints: [String] = []
    @Option(help: "Folder for the report and plots.") var outDir: String = "reports"
    @Option(help: "Seconds of inference timing per model (0: leave images/s out).") var speedSeconds: Double = 2
    @Option(help: "Also fill this README's results table (between <!-- results:start --> and <!-- results:end -->).")
    var readme: String?

    func run() throws {
        let paths = try checkpoints.isEmpty ? defaultCheckpoints() : checkpoints
        if paths.isEmpty { throw ConfigError(message: "no checkpoints found (models/*.h5 is empty)") }
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        var rows: [SummaryRow] = []
        for path in paths {
            let run = try RunSummary(path: path)
            if run.stage == .pretrained {
                print("\(run.name): pre-trained encoder (no trained head), left out of the comparison")
                continue
            }
            var row = SummaryRow(run: run, imagesPerSecond: nil, speedPrecision: "f32")
            if speedSeconds > 0 {
                let loaded = try LoadedModel(path: path)
                row.speedPrecision = loaded.inferencePrecisionName
                row.imagesPerSecond = measureInferenceSpeed(loaded.model, seconds: speedSeconds)
            }
            print("\(run.name): \(run.stage.rawValue), accuracy \(percent(run.accuracy))"
                  + (row.imagesPerSecond.map { String(format: ", %.0f images/s", $0) } ?? ""))
            rows.append(row)
        }
        if checkpoints.isEmpty {
            // The folder's files in the chain's order: teacher, student, pruned, int8, then the rest.
            rows.sort { ($0.run.stage.chainRank, $0.run.name) < ($1.run.stage.chainRank, $1.run.name) }
        }
        let generatedBy = shellQuoted(["vit-report", "summary"] + CommandLine.arguments.dropFirst(2))
        try summaryMarkdown(rows, generatedBy: generatedBy)
            .write(toFile: outDir + "/summary.md", atomically: true, encoding: .utf8)
        try accuracyPlot(rows).render().write(toFile: outDir + "/accuracy-vs-params.svg", atomically: true, encoding: .utf8)
        try curvesPlot(rows).render().write(toFile: outDir + "/curves.svg", atomically: true, encoding: .utf8)
        print("wrote \(outDir)/summary.md, \(outDir)/accuracy-vs-params.svg, \(outDir)/curves.svg")
        if let readme {
            let text = try String(contentsOfFile: readme, encoding: .utf8)
            let filled = try replacingMarkedSection(in: text, marker: "results",
                                                    with: headlineTable(rows, reportsFolder: outDir))
            try filled.write(toFile: readme, atomically: true, encoding: .utf8)
            print("filled the results table of \(readme)")
        }
    }

    private func defaultCheckpoints() throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "models") else { return [] }
        return names.filter { $0.hasSuffix(".h5") }.sorted().map { "models/" + $0 }
    }
}

struct StudyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "Compare checkpoints in one table (and optionally a plot): a study's report.",
        discussion: "One row per checkpoint: stage, how it was made, architecture, parameters, non-zero "
            + "parameters, bytes on disk, accuracy and head/medium/tail accuracy, all read from the files. "
            + "--speed-seconds adds images/s at batch 256 and latency at batch 1, measured now.")

    @Argument(help: "The checkpoints, in the order of the table.") var checkpoints: [String]
    @Option(help: "Report title.") var title: String
    @Option(help: "Output markdown file.") var out: String
    @Option(help: "A markdown file whose text is added below the table.") var notes: String?
    @Option(help: "Also write accuracy against --x as this SVG file (beside the markdown).") var plot: String?
    @Option(help: "The plot's x axis: \(StudyAxis.allCases.map(\.rawValue).joined(separator: ", ")).")
    var x: String = StudyAxis.nonzero.rawValue
    @Option(help: "Seconds per timed window (0: no timing).") var speedSeconds: Double = 0
    @Option(help: "Timed windows per speed figure.") var repeats: Int = 3

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("name at least one checkpoint") }
        if StudyAxis(rawValue: x) == nil {
            throw ValidationError("--x must be one of \(StudyAxis.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if speedSeconds < 0 || repeats < 1 { throw ValidationError("--speed-seconds must not be negative and --repeats at least 1") }
    }

    func run() throws {
        var rows: [StudyRow] = []
        for path in checkpoints {
            var row = StudyRow(run: try RunSummary(path: path))
            if speedSeconds > 0 {
                let loaded = try LoadedModel(path: path)
                row.speedPrecision = loaded.inferencePrecisionName
                row.batchRates = measureInferenceWindows(loaded.model, batch: 256, seconds: speedSeconds, repeats: repeats)
                row.singleRates = measureInferenceWindows(loaded.model, batch: 1, seconds: speedSeconds, repeats: repeats)
            }
            print("\(row.run.name): \(row.howMade), accuracy \(percent(row.run.accuracy))")
            rows.append(row)
        }
        let noteText = try notes.map { try String(contentsOfFile: $0, encoding: .utf8) }
        try OutputFile.prepare(out, inputs: checkpoints)
        let plotPath = plot.map { ((out as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0) }
        if let plotPath { try OutputFile.prepare(plotPath, inputs: checkpoints) }
        let generatedBy = shellQuoted(["vit-report", "table"] + CommandLine.arguments.dropFirst(2))
        try studyMarkdown(title: title, rows: rows, plotFile: plotPath, notes: noteText, generatedBy: generatedBy)
            .write(toFile: out, atomically: true, encoding: .utf8)
        print("wrote \(out)")
        if let plotPath {
            try studyPlot(title: title, rows: rows, axis: StudyAxis(rawValue: x)!).render()
                .write(toFile: plotPath, atomically: true, encoding: .utf8)
            print("wrote \(plotPath)")
        }
    }
}
