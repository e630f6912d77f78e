import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStages

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
        var settings = StudyReportSettings(checkpoints: checkpoints, title: title, output: out)
        (settings.kind, settings.notes) = (.training, notes)
        settings.generatedBy = shellQuoted(["vit-report", "training"] + CommandLine.arguments.dropFirst(2))
        try writeStudyReport(settings)
    }
}
