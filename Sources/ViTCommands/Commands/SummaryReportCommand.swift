import ArgumentParser
import Foundation
import ViTCore
import ViTReports

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
