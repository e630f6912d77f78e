import XCTest
@testable import ViTCommands
import ViTStore

final class PipelineCommandTests: XCTestCase {
    func testQuickChainWritesEveryStageAndAConsistentReport() throws {
        let data = try makeMiniatureCIFAR(perFile: 80)
        let folder = temporaryPath("pipeline")
        let models = folder + "/models", reports = folder + "/reports"
        try PipelineCommand.parse(["--quick", "--tiny", "--data", data, "--models-dir", models, "--reports-dir", reports,
                                   "--sparsities", "0.5,0.9"]).run()
        let expected = ["teacher.h5": "teacher", "student.h5": "student", "student-pruned-s50.h5": "pruned",
                        "student-pruned-s90.h5": "pruned", "student-heads50.h5": "pruned",
                        "student-int8.h5": "int8", "student-pruned-s50-int8.h5": "int8"]
        for (name, stage) in expected {
            let file = try Checkpoint.load(from: "\(models)/\(name)")
            XCTAssertEqual(file.attributes["stage"], .string(stage), name)
            XCTAssertNotNil(file.eval["accuracy"], name)
        }
        // Each stage names the file it came from.
        let student = try Checkpoint.load(from: "\(models)/student.h5")
        XCTAssertEqual(student.attributes["teacher_sha256"], .string(try Checkpoint.sha256(ofFile: "\(models)/teacher.h5")))
        let pruned = try Checkpoint.load(from: "\(models)/student-pruned-s50.h5")
        XCTAssertEqual(pruned.attributes["parent_sha256"], .string(try Checkpoint.sha256(ofFile: "\(models)/student.h5")))
        // The report lists every model, with the accuracy stored in its file.
        let summary = try String(contentsOfFile: reports + "/summary.md", encoding: .utf8)
        for name in expected.keys {
            let accuracy = try Checkpoint.load(from: "\(models)/\(name)").eval["accuracy"]!.doubles![0]
            let row = summary.split(separator: "\n").first { $0.hasPrefix("| \(name) |") }
            XCTAssertNotNil(row, "summary.md has no row for \(name)")
            XCTAssertTrue(row?.contains(String(format: "%.2f%%", 100 * accuracy)) ?? false, name)
        }
        for plot in ["accuracy-vs-params.svg", "curves.svg"] {
            let svg = try String(contentsOfFile: reports + "/" + plot, encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"), plot)
        }
    }

    func testSkipExistingResumesAnUnfinishedTeacherInsteadOfKeepingIt() throws {
        let data = try makeMiniatureCIFAR(perFile: 40)
        let folder = temporaryPath("pipeline-resume")
        let models = folder + "/models", reports = folder + "/reports"
        // A teacher interrupted after the first of two epochs: its file holds no final evaluation.
        let teacher = models + "/teacher.h5"
        try TrainCommand.parse(["--seed", "0", "--data", data, "--imbalance-ratio", "100"]
                               + ["--tokenizer", "conv", "--conv-layers", "1", "--conv-channels", "8", "--dim", "16",
                                  "--depth", "1", "--heads", "2", "--mlp-dim", "32", "--pool", "seq"]
                               + ["--epochs", "2", "--warmup-epochs", "0", "--stop-after-epochs", "1", "--out", teacher]).run()
        XCTAssertEqual(try Checkpoint.load(from: teacher).logs["epoch"]?.doubles?.count, 1)
        try PipelineCommand.parse(["--quick", "--tiny", "--skip-existing", "--data", data, "--models-dir", models,
                                   "--reports-dir", reports, "--sparsities", "0.5", "--finetune-epochs", "0"]).run()
        let finished = try Checkpoint.load(from: teacher)
        XCTAssertNotNil(finished.eval["accuracy"])
        XCTAssertEqual(finished.logs["epoch"]?.doubles?.count, 2, "the run went on to its own two epochs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: teacher + ".resumed.h5"))
    }
}
