import Foundation
import XCTest
import ViTStore

/// SIGINT and SIGTERM to the built vit-train in the middle of a run: it stops between two steps
/// with one line that says which epoch its checkpoint holds and how to continue, exits 130 or 143,
/// and the checkpoint loads. (This target runs built tools as child processes.)
final class SignalTests: XCTestCase {
    func testSIGINTEndsTheRunWithItsLastCheckpointAndStatus130() throws {
        try interrupt(with: SIGINT, expecting: 130, name: "SIGINT")
    }

    func testSIGTERMEndsTheRunWithItsLastCheckpointAndStatus143() throws {
        try interrupt(with: SIGTERM, expecting: 143, name: "SIGTERM")
    }

    private func interrupt(with signal: Int32, expecting status: Int32, name: String) throws {
        let trainer = try builtTool("vit-train")
        let folder = try folderWithMiniatureData("vitc-signal")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/model.h5"
        let process = toolProcess(trainer, ["--preset", "student", "--dim", "16", "--depth", "1", "--heads", "2",
                                            "--mlp-dim", "32", "--patch-size", "8", "--data", folder + "/cifar",
                                            "--batch-size", "8", "--epochs", "500", "--warmup-epochs", "0", "--out", out])
        let pipe = try startUntilCheckpoint(process, checkpoint: out)  // then interrupt
        kill(process.processIdentifier, signal)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, status, output)
        let line = try XCTUnwrap(output.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(line.hasPrefix("vit-train: interrupted by \(name) during epoch "), line)
        XCTAssertTrue(line.contains("\(out) holds epoch "), line)
        XCTAssertTrue(line.contains("continue with vit-train --resume \(out) --out "), line)
        let epochs = try XCTUnwrap(Checkpoint.load(from: out).logs["epoch"]?.doubles)
        XCTAssertTrue(line.contains("holds epoch \(epochs.count) of 500"), "\(line) against \(epochs.count) epochs")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }, [])
    }
}
