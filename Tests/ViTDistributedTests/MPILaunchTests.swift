import Foundation
import XCTest
import ViTCore
import ViTStore

/// Runs the built vit-train under mpirun (skipped, saying why, without mpirun or the binary).
/// The test bundle does not link ViTDistributed: loading libmpi into the one test process of
/// every target stops InterruptCleanupTests' signal from reaching its handler.
final class MPILaunchTests: XCTestCase {
    private var data = ""
    private var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-mpi-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        data = folder + "/cifar"
        try writeMiniatureCIFAR(to: data)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testWithoutMPIRunATrainingToolRunsAsOneProcess() throws {
        let (_, trainer) = try tools()
        let out = folder + "/alone.h5"
        let result = try runTool(trainer, tinyModelFlags + ["--data", data, "--limit-train", "8", "--limit-test", "10",
                                                        "--batch-size", "8", "--epochs", "1", "--out", out])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("processes, all-reduce"), result.output)
        XCTAssertTrue(try Checkpoint.load(from: out).string("config", file: out).contains("\"ranks\":1"))
    }

    /// Two ranks with global batch 8 take the same steps as one process with batch 8. Not bit for
    /// bit: each rank's products and gradient sums run over 4 rows and the all-reduce adds the two
    /// halves, an order of summation that differs from one process's, so the weights agree to float
    /// round-off carried through 3 AdamW steps (update ~ lr * m / sqrt(v), relative error ~1e-6 of
    /// lr 1e-3 per step): 1e-5 absolute leaves a margin of about 3.
    func testTwoRanksTrainTheSameWeightsAsOneProcessOnTheSameGlobalBatch() throws {
        let (mpirun, trainer) = try tools()
        // Dropout, drop-path and Mixup exercise the per-row draws; 24 images are 3 steps of 8.
        let flags = tinyModelFlags + ["--data", data, "--limit-train", "24", "--limit-test", "20", "--batch-size", "8",
                                      "--epochs", "1", "--warmup-epochs", "0", "--precision", "f32", "--seed", "4",
                                      "--dropout", "0.1", "--drop-path", "0.2", "--mixup", "0.8"]
        let one = folder + "/one.h5", two = folder + "/two.h5"
        let single = try runTool(trainer, flags + ["--out", one])
        XCTAssertEqual(single.status, 0, single.output)
        let parallel = try runTool(mpirun, mpirunFlags(ranks: 2) + [trainer] + flags + ["--out", two])
        XCTAssertEqual(parallel.status, 0, parallel.output)
        XCTAssertTrue(parallel.output.contains("2 processes, all-reduce"), parallel.output)

        let (a, b) = (try Checkpoint.load(from: one), try Checkpoint.load(from: two))
        let (modelA, modelB) = (try a.makeModel(file: one), try b.makeModel(file: two))
        var largest: Float = 0
        for (p, q) in zip(modelA.parametersAndBuffers, modelB.parametersAndBuffers) {
            XCTAssertEqual(p.name, q.name)
            for (x, y) in zip(p.value.data, q.value.data) { largest = max(largest, abs(x - y)) }
        }
        print(String(format: "%@: largest weight difference, 1 process against 2 ranks: %.3g (tolerance 1e-5)",
                     largest <= 1e-5 ? "OK" : "NOT OK", largest))
        XCTAssertLessThanOrEqual(largest, 1e-5)
        XCTAssertGreaterThan(largest, -1)  // NaN fails above
        XCTAssertTrue(try b.string("config", file: two).contains("\"ranks\":2"))
        XCTAssertEqual(a.eval["confusion"]?.int64s, b.eval["confusion"]?.int64s)
    }

    /// One rank that cannot read its data stops the whole job: one error line (mpirun -q keeps
    /// Open MPI's abort banner out), no checkpoint.
    func testARankThatFailsEndsTheJobWithoutACheckpoint() throws {
        let (mpirun, trainer) = try tools()
        let out = folder + "/failed.h5"
        let common = tinyModelFlags + ["--limit-train", "24", "--batch-size", "8", "--epochs", "1", "--out", out]
        let result = try runTool(mpirun, mpirunFlags(ranks: 1) + [trainer, "--data", data] + common
                             + [":", "-np", "1", trainer, "--data", folder + "/missing"] + common)
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count, 1, result.output)
        XCTAssertFalse(result.output.contains("MPI_ABORT"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// A run stopped after epoch 1 of 2 on two ranks continues on one process to the weights of the
    /// uninterrupted one-process run (same tolerance and reason as above).
    func testARunOfTwoRanksResumesOnOneProcess() throws {
        let (mpirun, trainer) = try tools()
        let flags = tinyModelFlags + ["--data", data, "--limit-train", "16", "--limit-test", "10", "--batch-size", "8",
                                      "--epochs", "2", "--warmup-epochs", "0", "--precision", "f32", "--seed", "6",
                                      "--dropout", "0.1"]
        let whole = folder + "/whole.h5", half = folder + "/half.h5", resumed = folder + "/resumed.h5"
        XCTAssertEqual(try runTool(trainer, flags + ["--out", whole]).status, 0)
        let first = try runTool(mpirun, mpirunFlags(ranks: 2) + [trainer] + flags + ["--out", half, "--stop-after-epochs", "1"])
        XCTAssertEqual(first.status, 0, first.output)
        let second = try runTool(trainer, ["--data", data, "--limit-train", "16", "--limit-test", "10",
                                       "--resume", half, "--out", resumed])
        XCTAssertEqual(second.status, 0, second.output)
        let (a, b) = (try Checkpoint.load(from: whole).makeModel(file: whole),
                      try Checkpoint.load(from: resumed).makeModel(file: resumed))
        let largest = zip(a.parametersAndBuffers, b.parametersAndBuffers)
            .flatMap { zip($0.value.data, $1.value.data).map { abs($0 - $1) } }.max()!
        XCTAssertLessThanOrEqual(largest, 1e-5)
        XCTAssertTrue(try Checkpoint.load(from: resumed).string("config", file: resumed).contains("\"ranks\":1"))
    }

    // MARK: - helpers

    /// A SIGTERM to one rank of two stops both at the same step: one line from rank 0 saying which
    /// epoch the checkpoint holds, a failed status from mpirun, the checkpoint loads, no temporary file.
    func testASignalToOneRankEndsEveryRankWithOneLineAndTheLastCheckpoint() throws {
        let (mpirun, trainer) = try tools()
        let out = folder + "/signalled.h5"
        let process = toolProcess(mpirun, mpirunFlags(ranks: 2) + [trainer] + tinyModelFlags
                                  + ["--data", data, "--batch-size", "8", "--epochs", "500", "--warmup-epochs", "0",
                                     "--limit-test", "10", "--out", out])
        let pipe = try startUntilCheckpoint(process, checkpoint: out)
        // The ranks are the two processes whose command line starts with the trainer (mpirun's only
        // contains it); signal the newest.
        let ranks = try runTool("/usr/bin/pgrep", ["-f", "^\(trainer) .*\(out)"]).output.split(separator: "\n")
            .compactMap { Int32($0) }
        XCTAssertEqual(ranks.count, 2, "two ranks running: \(ranks)")
        kill(try XCTUnwrap(ranks.max()), SIGTERM)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // Each rank exits 143; Open MPI 4's mpirun reports a job whose ranks failed as 1.
        XCTAssertNotEqual(process.terminationStatus, 0, output)
        let lines = output.split(separator: "\n").filter { $0.contains("interrupted by") }
        XCTAssertEqual(lines.count, 1, output)
        XCTAssertTrue(lines.first?.hasPrefix("vit-train: interrupted by SIGTERM during epoch ") ?? false, output)
        let epochs = try XCTUnwrap(Checkpoint.load(from: out).logs["epoch"]?.doubles)
        XCTAssertTrue(lines.first?.contains("\(out) holds epoch \(epochs.count) of 500") ?? false, "\(output) against \(epochs.count)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp") }, [])
    }

    /// A full disk on rank 0 (a 4 KiB file-size limit on that rank alone: under a limit on mpirun
    /// itself Open MPI cannot make its shared-memory files and hangs, so the ranks talk over TCP)
    /// ends the whole job: one line naming the file and the reason, a failed status, no rank left
    /// running, the older checkpoint as it was and no temporary file.
    func testAFullDiskOnRankZeroEndsEveryRankWithOneLineAndKeepsTheOlderFile() throws {
        let (mpirun, trainer) = try tools()
        let out = folder + "/models/full.h5"
        try FileManager.default.createDirectory(atPath: folder + "/models", withIntermediateDirectories: true)
        let older = Data("an older checkpoint".utf8)
        FileManager.default.createFile(atPath: out, contents: older)
        let flags = tinyModelFlags + ["--data", data, "--limit-train", "16", "--limit-test", "10", "--batch-size", "8",
                                      "--epochs", "2", "--out", out]
        let limited = ["/bin/bash"] + underFileSizeLimit(kilobytes: 4, trainer, flags)
        let result = try runTool(mpirun, mpirunFlags(ranks: 1) + ["--mca", "btl", "self,tcp"] + limited
                                 + [":", "-np", "1", trainer] + flags)
        XCTAssertNotEqual(result.status, 0, result.output)
        let error = try assertEndedCleanlyOnAFullDisk(result.output, path: out, older: older)
        XCTAssertFalse(result.output.contains("MPI_ABORT"), result.output)
        let left = try runTool("/usr/bin/pgrep", ["-f", "^\(trainer) .*\(out)"]).output
        XCTAssertEqual(left.trimmingCharacters(in: .whitespacesAndNewlines), "", "no rank is left running")
        print("a full disk on rank 0 of 2: status \(result.status), \(error ?? "no line")")
    }

    private func tools() throws -> (mpirun: String, trainer: String) {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let mpirun = path.split(separator: ":").map({ "\($0)/mpirun" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)")
        }
        let trainer = try builtTool("vit-train")
        return (mpirun, trainer)
    }

    /// --oversubscribe: more ranks than the cores mpirun counts; root needs its own flag.
    private func mpirunFlags(ranks: Int) -> [String] {
        ["-q", "-np", "\(ranks)", "--oversubscribe"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
    }
}

/// Flags for a model small enough to train in a test (ViTCommandsTests' tinyModelFlags with two blocks, so
/// that drop-path has a block to drop).
private let tinyModelFlags = ["--preset", "student", "--dim", "16", "--depth", "2", "--heads", "2",
                              "--mlp-dim", "32", "--patch-size", "8"]

/// A miniature CIFAR-10 directory (as ViTCommandsTests' makeMiniatureCIFAR): 40 random images per
/// file, each class with its own brightness.
func writeMiniatureCIFAR(to directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var generator = SeededGenerator(seed: 1)
    func images() -> LabeledImages {
        let labels = (0..<40).map { UInt8(($0 + generator.nextInt(below: 10)) % 10) }
        var pixels = [UInt8](repeating: 0, count: 40 * 3072)
        for (i, label) in labels.enumerated() {
            for j in 0..<3072 { pixels[i * 3072 + j] = UInt8(min(255, Int(label) * 20 + generator.nextInt(below: 60))) }
        }
        return LabeledImages(pixels: pixels, labels: labels)
    }
    for name in CIFAR10.trainingFiles { try CIFAR10.write(images(), to: directory + "/" + name) }
    try CIFAR10.write(images(), to: directory + "/" + CIFAR10.testFile)
}
