import Foundation
import XCTest
import ViTStore

/// A full disk, as a file-size limit (`ulimit -f` in the child: no privileges needed): the built
/// vit-train must end with one line and exit status 1, leave the older checkpoint as it was and no
/// temporary file, and not crash at exit (libhdf5's exit handler used to flush the failed file
/// again: "Bad pointer dereference", status 139). This target runs built tools as child processes.
final class FullDiskTests: XCTestCase {
    func testAWriteThatFailsForLackOfSpaceEndsInOneLineAndKeepsTheOlderFile() throws {
        let trainer = try builtTool("vit-train")
        let folder = try folderWithMiniatureData("vitc-full")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = folder + "/cifar"
        let out = folder + "/models/model.h5"
        let flags = ["--preset", "student", "--dim", "16", "--depth", "1", "--heads", "2", "--mlp-dim", "32",
                     "--patch-size", "8", "--data", data, "--limit-train", "16", "--limit-test", "10",
                     "--batch-size", "8", "--epochs", "1", "--out", out]
        try FileManager.default.createDirectory(atPath: folder + "/models", withIntermediateDirectories: true)
        let older = Data("an older checkpoint".utf8)
        FileManager.default.createFile(atPath: out, contents: older)

        // 4 KiB for files the child writes (the data is written already): less than any checkpoint.
        let result = try runTool("/bin/bash", underFileSizeLimit(kilobytes: 4, trainer, flags))
        XCTAssertEqual(result.status, 1, result.output)
        try assertEndedCleanlyOnAFullDisk(result.output, path: out, older: older)
    }

    /// Every other writer under the same limit: evaluation's copy, pruning, quantization, the ONNX
    /// export, a report and its plot, TensorBoard's event file beside a checkpoint, a resumed run,
    /// distillation and pre-training. Each must
    /// end in one line naming its file, with status 1, leave the older file intact and no temporary file.
    func testEveryWriterFailsCleanlyWhenTheDiskIsFull() throws {
        let trainer = try builtTool("vit-train")
        let folder = try folderWithMiniatureData("vitc-full-writers")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = folder + "/cifar", source = folder + "/source.h5", out = folder + "/out"
        let shape = ["--preset", "student", "--dim", "16", "--depth", "1", "--heads", "2", "--mlp-dim", "32",
                     "--patch-size", "8"]
        let small = ["--data", data, "--limit-train", "16", "--limit-test", "10", "--batch-size", "8", "--epochs", "1"]
        let made = try runTool(trainer, shape + small + ["--out", source])
        XCTAssertEqual(made.status, 0, made.output)
        // KiB the child may write: 4 is less than any checkpoint; a report and an event file are
        // smaller, so there nothing may be written at all.
        let writers: [(tool: String, output: String, limit: Int, arguments: [String])] = [
            ("vit-eval", "copy.h5", 4, [source, "--data", data, "--limit-test", "10", "--out"]),
            ("vit-prune", "pruned.h5", 4, [source, "--sparsity", "0.5", "--data", data, "--limit-test", "10", "--out"]),
            ("vit-quantize", "int8.h5", 4, [source, "--mode", "dynamic", "--data", data, "--limit-test", "10", "--out"]),
            ("vit-export", "model.onnx", 4, [source, "--out"]),
            ("vit-report", "table.md", 0, ["table", source, "--title", "t", "--plot", "plot.svg", "--out"]),
            ("vit-train", "tensorboard.h5", 0, shape + small + ["--tensorboard", out + "/runs", "--out"]),
            ("vit-train", "resumed.h5", 4, ["--resume", source, "--data", data, "--limit-train", "16", "--limit-test", "10",
                                            "--epochs", "2", "--out"]),
            ("vit-distill", "student.h5", 4, shape + small + ["--teacher", source, "--out"]),
            ("vit-pretrain", "encoder.h5", 4, shape + small + ["--out"]),
        ]
        for writer in writers {
            try? FileManager.default.removeItem(atPath: out)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let target = out + "/" + writer.output, older = Data("an older file".utf8)
            FileManager.default.createFile(atPath: target, contents: older)
            let tool = try builtTool(writer.tool)
            let result = try runTool("/bin/bash", underFileSizeLimit(kilobytes: writer.limit, tool, writer.arguments + [target]))
            let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            XCTAssertEqual(result.status, 1, "\(writer.tool): \(result.output)")
            XCTAssertEqual(errors.count, 1, "\(writer.tool): \(result.output)")
            XCTAssertTrue(errors.first?.contains("File too large") ?? false, "\(writer.tool): \(result.output)")
            XCTAssertFalse(result.output.contains("crashed"), "\(writer.tool): \(result.output)")
            XCTAssertEqual(FileManager.default.contents(atPath: target), older, "\(writer.tool): the older file is intact")
            let left = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0 != writer.output && $0 != "runs" }
            XCTAssertEqual(left, [], "\(writer.tool): no temporary file is left")
            print("\(writer.tool) on a full disk: status \(result.status), \(errors.first ?? "no line")")
        }
    }
}

extension FullDiskTests {
    /// The pipeline's first step on a full disk: one line naming the step's file, status 1, nothing
    /// else written into the models folder (the tiny plan of the tests, on miniature data).
    func testAPipelineOnAFullDiskEndsInOneLineAtItsFirstStep() throws {
        let pipeline = try builtTool("vit-pipeline")
        let folder = try folderWithMiniatureData("vitc-full-pipeline")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let plan = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Plans/tiny.json").path
        let models = folder + "/models"
        let result = try runTool("/bin/bash", underFileSizeLimit(kilobytes: 4, pipeline, [
            "--plan", plan, "--data", folder + "/cifar", "--models-dir", models, "--reports-dir", folder + "/reports",
            "--readme", folder + "/README.md"]))
        XCTAssertEqual(result.status, 1, result.output)
        let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errors, ["Error: \(models)/teacher.h5: cannot close file (File too large (file write failed))"],
                       result.output)
        XCTAssertFalse(result.output.contains("crashed"), result.output)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: models)) ?? [], [], "nothing is left in models/")
        print("the pipeline on a full disk: status \(result.status), \(errors.first ?? "no line")")
    }
}
