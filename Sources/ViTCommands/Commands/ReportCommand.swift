import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStages

public struct ReportCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-report",
        abstract: "Write markdown reports (and plots) from vitc checkpoints.",
        subcommands: [SummaryReportCommand.self, TrainingReportCommand.self, StudyReportCommand.self],
        defaultSubcommand: SummaryReportCommand.self)
}
