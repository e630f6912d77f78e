import ArgumentParser
import Foundation
import ViTCore
import ViTReports
import ViTStages

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
        var settings = SummaryReportSettings(
            generatedBy: shellQuoted(["vit-report", "summary"] + CommandLine.arguments.dropFirst(2)))
        settings.checkpoints = checkpoints
        settings.outputFolder = outDir
        settings.speedSeconds = speedSeconds
        settings.readme = readme
        try writeSummaryReport(settings)
    }
}
