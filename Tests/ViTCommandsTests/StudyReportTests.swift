import XCTest
@testable import ViTCommands
@testable import ViTStages
@testable import ViTReports
import ViTStore

final class StudyReportTests: XCTestCase {
    /// A trained model and its pruned and int8 children, as a study would compare them.
    private func makeFamily() throws -> (trained: String, pruned: String, int8: String) {
        let data = try makeMiniatureCIFAR()
        let trained = temporaryPath("study-trained.h5"), pruned = temporaryPath("study-pruned.h5")
        let int8 = temporaryPath("study-int8.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", trained, "--epochs", "1", "--batch-size", "32"]).run()
        try PruneCommand.parse([trained, "--sparsity", "0.5", "--data", data, "--out", pruned]).run()
        try QuantizeCommand.parse([trained, "--data", data, "--calibration-images", "32", "--mode", "dynamic", "--out", int8]).run()
        return (trained, pruned, int8)
    }

    func testTableHasOneRowPerCheckpointWithHowEachWasMade() throws {
        let family = try makeFamily()
        let folder = temporaryPath("study"), out = folder + "/report.md"
        // Short names, as in models/: labels of the two coinciding points (trained and int8) both fit.
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let short = ["trained", "pruned", "int8"].map { folder + "/study-\($0).h5" }
        for (from, to) in zip([family.trained, family.pruned, family.int8], short) {
            try FileManager.default.copyItem(atPath: from, toPath: to)
        }
        var command = try ReportCommand.parseAsRoot(["table"] + short + ["--title", "A study",
                                                     "--out", out, "--plot", "study.svg", "--x", "nonzero"])
        try command.run()
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| study-") }
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows[1].contains("50% of weights, layer oneshot, no fine-tuning"), String(rows[1]))
        XCTAssertTrue(rows[2].contains("int8, dynamic activations"), String(rows[2]))
        XCTAssertTrue(rows[0].contains("patch 8, width 16"), String(rows[0]))
        XCTAssertFalse(text.contains("images/s"), "no timing unless asked")
        let svg = try String(contentsOfFile: folder + "/study.svg", encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "study-").count - 1, 3, "each point is labelled with its file")
    }

    func testTimingAddsSpeedColumnsWithRanges() throws {
        let family = try makeFamily()
        let out = temporaryPath("timed.md")
        var command = try ReportCommand.parseAsRoot(["table", family.trained, family.int8, "--title", "Speed", "--out", out,
                                                     "--speed-seconds", "0.05", "--repeats", "2"])
        try command.run()
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.contains("images/s (batch 256)"))
        XCTAssertTrue(text.contains("(int8) |"))
        XCTAssertTrue(text.contains(" ms ["))
    }

    func testPerClassPlotDrawsOneLinePerCheckpoint() throws {
        let family = try makeFamily()
        let rows = try [family.trained, family.pruned].map { StudyRow(run: try RunSummary(path: $0)) }
        let plot = studyPlot(title: "Remedies", rows: rows, axis: .classImages)
        XCTAssertEqual(plot.series.count, 2)
        XCTAssertEqual(plot.series[0].points.count, 10)
        XCTAssertTrue(plot.series.allSatisfy(\.line))
        let expected = zip(rows[0].run.classCounts, rows[0].run.perClass).map { "\(Double($0)) \(100 * $1)" }.sorted()
        XCTAssertEqual(plot.series[0].points.map { "\($0.x) \($0.y)" }.sorted(), expected)
    }

    func testPruningPlotSeparatesOneShotFromFineTunedAndDrawsTheControlDashed() throws {
        let data = try makeMiniatureCIFAR()
        let trained = temporaryPath("plot-trained.h5"), folder = temporaryPath("plot-pruned")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", trained, "--epochs", "1", "--batch-size", "32"]).run()
        let tune = ["--finetune-epochs", "1", "--warmup-epochs", "0", "--batch-size", "32"]
        try PruneCommand.parse([trained, "--sparsity", "0.5,0.9", "--data", data, "--out", folder + "/oneshot.h5"]).run()
        try PruneCommand.parse([trained, "--sparsity", "0.5,0.9", "--data", data, "--out", folder + "/tuned.h5"] + tune).run()
        try PruneCommand.parse([trained, "--sparsity", "0", "--data", data, "--out", folder + "/control.h5"] + tune).run()
        let files = ["oneshot-s50", "oneshot-s90", "tuned-s50", "tuned-s90", "control"].map { folder + "/\($0).h5" }
        let rows = try files.map { StudyRow(run: try RunSummary(path: $0)) }
        let plot = studyPlot(title: "t", rows: rows, axis: .sparsity)
        XCTAssertEqual(plot.series.map(\.name), ["pruned, one-shot", "pruned, fine-tuned",
                                                 "control (no pruning, same fine-tuning)"])
        XCTAssertEqual(plot.series[0].points.count, 2)
        XCTAssertLessThan(plot.series[0].points[0].x, plot.series[0].points[1].x, "each line runs along sparsity")
        XCTAssertEqual(plot.series[1].points.map(\.x), plot.series[0].points.map(\.x))
        XCTAssertTrue(plot.series[2].dashed)
        XCTAssertEqual(plot.series[2].points.count, 2)
        XCTAssertEqual(plot.series[2].points[0].y, plot.series[2].points[1].y)
    }

    func testAnUnknownAxisIsRejected() throws {
        XCTAssertThrowsError(try ReportCommand.parseAsRoot(["table", "a.h5", "--title", "t", "--out", "o.md", "--x", "depthh"]))
    }
}
