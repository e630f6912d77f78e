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
        let result = try runTool("/bin/bash", ["-c", "ulimit -f 4; exec \"$0\" \"$@\"", trainer] + flags)
        XCTAssertEqual(result.status, 1, result.output)
        let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errors.count, 1, result.output)
        XCTAssertTrue(errors.first?.contains("\(out): ") ?? false, result.output)
        XCTAssertTrue(errors.first?.contains("File too large") ?? false, result.output)
        XCTAssertFalse(result.output.contains("crashed"), result.output)
        XCTAssertEqual(FileManager.default.contents(atPath: out), older, "the older file is intact")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/models"), ["model.h5"],
                       "no temporary file is left")
    }
}
