import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStages

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
        var settings = StudyReportSettings(checkpoints: checkpoints, title: title, output: out)
        (settings.notes, settings.plot, settings.axis) = (notes, plot, StudyAxis(rawValue: x)!)
        (settings.speedSeconds, settings.repeats) = (speedSeconds, repeats)
        settings.generatedBy = shellQuoted(["vit-report", "table"] + CommandLine.arguments.dropFirst(2))
        try writeStudyReport(settings)
    }
}
