import ArgumentParser
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

final class TrainCommandTests: XCTestCase {
    private var data = ""

    override func setUpWithError() throws {
        data = try makeMiniatureCIFAR()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: data)
    }

    private func train(_ extra: [String], out: String) throws {
        let flags = ["--data", data, "--out", out, "--batch-size", "32", "--warmup-epochs", "1"] + extra
        // A resumed run takes its architecture from the file.
        try TrainCommand.parse((extra.contains("--resume") ? [] : tinyModelFlags) + flags).run()
    }

    func testTrainingWritesACheckpointWithConfigLogsAndEvaluation() throws {
        let out = temporaryPath("model.h5")
        try train(["--epochs", "2", "--seed", "3"], out: out)
        let file = try Checkpoint.load(from: out)
        XCTAssertEqual(try file.string("stage", file: out), "teacher")
        XCTAssertEqual(try file.modelConfig(file: out).dim, 16)
        XCTAssertEqual(file.attributes["seed"], .int(3))
        XCTAssertFalse(try file.string("command", file: out).isEmpty)  // the test runner's command line here
        XCTAssertEqual(file.logs["epoch"]?.doubles, [1, 2])
        XCTAssertEqual(file.eval["confusion"]?.shape, [10, 10])
        XCTAssertNotNil(file.optimizer["step"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (out as NSString).deletingLastPathComponent)
            .filter { $0.contains(".tmp-") }, [])
    }

    func testADivergingRunStopsInOneLineAndWritesNoCheckpoint() throws {
        let out = temporaryPath("diverged.h5")
        XCTAssertThrowsError(try train(["--epochs", "2", "--lr", "1e8", "--clip-norm", "0", "--warmup-epochs", "0"],
                                       out: out)) { error in
            XCTAssertTrue(error is NonFiniteError, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("epoch 1 step "), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no file for a run that never had a good epoch")
    }

    func testADivergenceAfterAGoodEpochKeepsThatEpochsCheckpoint() throws {
        let out = temporaryPath("diverged-later.h5")
        // Measured: at lr 1000 the tiny model survives epoch 1 and diverges in epoch 2 (rounding
        // differs between CPUs, so an earlier divergence is accepted and checked as such).
        var message = ""
        XCTAssertThrowsError(try train(["--epochs", "3", "--lr", "1000", "--clip-norm", "0", "--warmup-epochs", "0",
                                        "--precision", "f32"], out: out)) { message = "\($0)" }
        let goodEpochs = Int(message.split(separator: " ")[1])! - 1
        guard goodEpochs > 0 else { return XCTAssertFalse(FileManager.default.fileExists(atPath: out)) }
        let file = try Checkpoint.load(from: out)
        XCTAssertEqual(file.logs["epoch"]?.doubles, (1...goodEpochs).map(Double.init))
        XCTAssertTrue(file.weights.values.allSatisfy { $0.floats?.allSatisfy(\.isFinite) ?? true })
    }

    func testTheCheckpointRecordsTheISAAndThePrecisionChosen() throws {
        let out = temporaryPath("compute.h5")
        try train(["--epochs", "1"], out: out)
        let json = try Checkpoint.load(from: out).string("config", file: out)
        let compute = try XCTUnwrap(try ConfigJSON.decodeSection(ComputeSettings.self, key: "compute", from: json, file: out))
        XCTAssertEqual(compute.isa, CPUCapabilities.current.isa)
        XCTAssertEqual(compute.requested, .auto)
        XCTAssertEqual(compute.precision, CPUCapabilities.current.nativeBFloat16 ? .bf16 : .f32)
    }

    func testResumedRunEndsWithExactlyTheWeightsOfAnUninterruptedRun() throws {
        let straight = temporaryPath("straight.h5"), interrupted = temporaryPath("interrupted.h5")
        let resumed = temporaryPath("resumed.h5")
        try train(["--epochs", "2"], out: straight)
        try train(["--epochs", "2", "--stop-after-epochs", "1"], out: interrupted)
        XCTAssertEqual(try Checkpoint.load(from: interrupted).logs["epoch"]?.doubles, [1])
        try train(["--resume", interrupted], out: resumed)
        XCTAssertEqual(try Checkpoint.load(from: straight).weights, try Checkpoint.load(from: resumed).weights)
        XCTAssertEqual(try Checkpoint.load(from: straight).logs["test_accuracy"],
                       try Checkpoint.load(from: resumed).logs["test_accuracy"])
    }

    func testAResumedRunWithTheFullRecipeEndsExactlyAsAnUninterruptedOne() throws {
        // Weight average, AutoAugment, erasing, mixing that stops, deferred adjustment and DRW.
        let recipe = ["--epochs", "3", "--ema", "0.9", "--policy", "auto-augment", "--random-erasing", "0.25",
                      "--mixup", "0.8", "--cutmix", "1.0", "--mix-off-epoch", "2", "--loss", "balanced-softmax",
                      "--adjust-from-epoch", "1", "--drw-epoch", "2", "--eval-every", "2"]
        let straight = temporaryPath("recipe.h5"), interrupted = temporaryPath("recipe-1.h5")
        let resumed = temporaryPath("recipe-resumed.h5")
        try train(recipe, out: straight)
        try train(recipe + ["--stop-after-epochs", "1"], out: interrupted)
        try train(["--resume", interrupted], out: resumed)
        let a = try Checkpoint.load(from: straight), b = try Checkpoint.load(from: resumed)
        XCTAssertEqual(a.weights, b.weights, "the saved weights (the average) agree bit for bit")
        XCTAssertEqual(a.optimizer, b.optimizer, "and so do the raw weights and AdamW's state")
        XCTAssertNotNil(a.optimizer["raw.head.weight"])
        XCTAssertNotEqual(a.optimizer["raw.head.weight"], a.weights["head.weight"], "the file holds the average")
        let accuracies = try XCTUnwrap(a.logs["test_accuracy"]?.doubles)
        XCTAssertTrue(accuracies[0].isNaN && accuracies[1].isFinite && accuracies[2].isFinite, "\(accuracies)")
    }

    func testAValidationSplitChoosesThePostHocTauAndIsRecorded() throws {
        let out = temporaryPath("validated.h5")
        try train(["--epochs", "1", "--validation-fraction", "0.2"], out: out)
        let file = try Checkpoint.load(from: out)
        let held = try XCTUnwrap(file.eval["validation_indices"]?.int64s)
        let counts = try XCTUnwrap(file.eval["class_counts"]?.int64s)
        XCTAssertEqual(held.count + Int(counts.reduce(0, +)), 200, "every training image is in one of the two")
        XCTAssertEqual(Set(held).count, held.count)
        let tau = try XCTUnwrap(file.eval["posthoc_tau"]?.doubles?.first)
        XCTAssertTrue(PostHocCriterion.logLoss.grid.contains(Float(tau)))
        XCTAssertNotNil(file.eval["posthoc_accuracy"])
    }

    func testABalancedValidationSetIsDrawnFromTheLeftOutImagesEvaluatedEachEpochAndRecorded() throws {
        let out = temporaryPath("balanced-validation.h5")
        try train(["--epochs", "2", "--imbalance-ratio", "10", "--validation-per-class", "3"], out: out)
        let file = try Checkpoint.load(from: out)
        let indices = try XCTUnwrap(file.eval["balanced_validation_indices"]?.int64s)
        XCTAssertEqual(indices.count, 30)
        XCTAssertEqual(Set(indices).count, 30)
        let fromTraining = try XCTUnwrap(file.eval["balanced_validation_from_training"]?.int64s)
        XCTAssertEqual(fromTraining.count, 10)
        XCTAssertEqual(fromTraining.first, 3, "the largest class leaves nothing out: its share comes from training")
        // The training counts the losses used are the subset's less what went to validation.
        let (kept, subsetCounts) = try longTailedSelection(try CIFAR10.loadTraining(directory: data), imbalanceRatio: 10,
                                                           seed: 0)
        XCTAssertEqual(try XCTUnwrap(file.eval["class_counts"]?.int64s).map(Int.init),
                       zip(subsetCounts, fromTraining).map { $0 - Int($1) })
        XCTAssertTrue(Set(indices.map(Int.init)).isDisjoint(with: Set(kept).subtracting(indices.map(Int.init))))
        let perEpoch = try XCTUnwrap(file.logs["validation_accuracy"]?.doubles)
        XCTAssertEqual(perEpoch.count, 2)
        XCTAssertTrue(perEpoch.allSatisfy { (0...1).contains($0) })
        let final = try XCTUnwrap(file.eval["validation_accuracy"]?.doubles?.first)
        XCTAssertEqual(final, perEpoch.last!, accuracy: 1e-12, "the saved weights score as the last epoch did")
        XCTAssertEqual(file.eval["validation_per_class_accuracy"]?.doubles?.count, 10)
        XCTAssertEqual(try file.epochLogs(file: out).map(\.validationAccuracy), perEpoch)
        // The post-hoc tau is chosen on the balanced set as on a split; the split's indices are absent.
        XCTAssertNotNil(file.eval["posthoc_tau"])
        XCTAssertNil(file.eval["validation_indices"])
        XCTAssertThrowsError(try train(["--epochs", "1", "--validation-per-class", "3", "--validation-fraction", "0.1"],
                                       out: temporaryPath("both.h5")))
    }

    func testAResumedRunWithABalancedValidationSetEndsAsAnUninterruptedOne() throws {
        let flags = ["--epochs", "2", "--imbalance-ratio", "10", "--validation-per-class", "3"]
        let straight = temporaryPath("val-straight.h5"), interrupted = temporaryPath("val-1.h5")
        let resumed = temporaryPath("val-resumed.h5")
        try train(flags, out: straight)
        try train(flags + ["--stop-after-epochs", "1"], out: interrupted)
        try train(["--resume", interrupted], out: resumed)
        let a = try Checkpoint.load(from: straight), b = try Checkpoint.load(from: resumed)
        XCTAssertEqual(a.weights, b.weights)
        XCTAssertEqual(a.logs["validation_accuracy"], b.logs["validation_accuracy"])
        XCTAssertEqual(a.eval["balanced_validation_indices"], b.eval["balanced_validation_indices"])
    }

    func testThePostHocAdjustmentIsFoldedIntoTheSavedHeadAndResumeUndoesIt() throws {
        let out = temporaryPath("folded.h5")
        try train(["--epochs", "2", "--validation-fraction", "0.3"], out: out)
        let file = try Checkpoint.load(from: out)
        let tau = Float(try XCTUnwrap(file.eval["posthoc_tau"]?.doubles?.first))
        let prior = logPrior(classCounts: try XCTUnwrap(file.eval["class_counts"]?.int64s).map { Int($0) })
        let learned = try XCTUnwrap(file.optimizer["unadjusted.head.bias"]?.tensor)
        let saved = try XCTUnwrap(file.weights["head.bias"]?.tensor)
        XCTAssertEqual(saved.data, (0..<learned.count).map { learned.data[$0] + -tau * prior[$0] })
        // The stored evaluation is the saved (folded) model's, as a later vit-eval sees it.
        let rescored = try evaluate(try file.makeModel(file: out), on: try CIFAR10.loadTest(directory: data))
        XCTAssertEqual(rescored.accuracy, try XCTUnwrap(file.eval["accuracy"]?.doubles?.first), accuracy: 1e-12)
        XCTAssertNotNil(file.eval["unadjusted_accuracy"])
        // --resume trains on from the learned biases, not the folded ones.
        let (run, _) = try TrainingRun.resume(from: out, epochs: 3)
        let resumedBias = try XCTUnwrap(run.model.parametersAndBuffers.first { $0.name == "head.bias" }).value
        XCTAssertEqual(resumedBias.data, learned.data)
    }

    func testResumedBatchNormRunWithAWeightAverageEndsBitIdentical() throws {
        // The running statistics and their average must come back from the file exactly.
        let flags = ["--epochs", "2", "--norm", "batch", "--pool", "mean", "--ema", "0.5"]
        let straight = temporaryPath("bn-straight.h5"), interrupted = temporaryPath("bn-interrupted.h5")
        let resumed = temporaryPath("bn-resumed.h5")
        try train(flags, out: straight)
        try train(flags + ["--stop-after-epochs", "1"], out: interrupted)
        try train(["--resume", interrupted], out: resumed)
        let (a, b) = (try Checkpoint.load(from: straight), try Checkpoint.load(from: resumed))
        XCTAssertEqual(try a.modelConfig(file: straight).norm, .batch)
        XCTAssertNotNil(a.weights["blocks.0.norm1.running_var"])
        XCTAssertNotNil(a.optimizer["raw.norm.running_mean"])
        XCTAssertNil(a.optimizer["m.norm.running_mean"], "buffers have no optimizer state")
        XCTAssertEqual(a.weights, b.weights)
        XCTAssertEqual(a.logs["test_accuracy"], b.logs["test_accuracy"])
    }

    func testWithoutOptimizerStateTheFileIsSmallerAndCannotBeResumed() throws {
        let out = temporaryPath("small.h5")
        try train(["--epochs", "1", "--no-optimizer-state"], out: out)
        XCTAssertTrue(try Checkpoint.load(from: out).optimizer.isEmpty)
        XCTAssertThrowsError(try train(["--epochs", "2", "--resume", out], out: temporaryPath("again.h5")))
    }

    func testMissingDataDirectoryFailsWithAOneLineErrorAndNoFile() throws {
        let out = temporaryPath("never.h5")
        XCTAssertThrowsError(try TrainCommand.parse(tinyModelFlags + ["--data", "/no/such/dir", "--out", out]).run()) { error in
            XCTAssertTrue("\(error)".hasPrefix("CIFAR-10 directory not found: /no/such/dir"))
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testTruncatedBatchFileFailsNamingTheFile() throws {
        let batch = data + "/data_batch_2.bin"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: batch))
        try handle.truncate(atOffset: 3073 * 5 + 100)
        try handle.close()
        let out = temporaryPath("never.h5")
        XCTAssertThrowsError(try train(["--epochs", "1"], out: out)) { error in
            XCTAssertTrue("\(error)".contains("data_batch_2.bin"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testImpossibleFlagsAreRejectedBeforeAnyWork() {
        let cases: [([String], String)] = [
            (["--preset", "teacher", "--patch-size", "3"], "patch size 3 must divide the image size 32"),
            (["--patch-size", "8"], "patch size 8 applies to the patch tokenizer, and this model's is conv"),
            (["--preset", "student", "--conv-layers", "1"], "conv layers and channels apply to the conv tokenizer"),
            (["--dim", "30", "--heads", "4"], "width 30 must be divisible by the number of heads 4"),
            (["--imbalance-ratio", "0.5"], "imbalance ratio must be at least 1, got 0.5"),
        ]
        for (flags, message) in cases {
            let out = temporaryPath("never.h5")
            XCTAssertThrowsError(try TrainCommand.parse(["--data", data, "--out", out] + flags).run()) { error in
                XCTAssertTrue("\(error)".contains(message) || TrainCommand.message(for: error).contains(message),
                              "\(flags): \(TrainCommand.message(for: error))")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testResumingFromAFileThatIsNotHDF5Fails() throws {
        let bogus = temporaryPath("bogus.h5")
        try "not a checkpoint".write(toFile: bogus, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try train(["--resume", bogus], out: temporaryPath("never.h5"))) { error in
            XCTAssertEqual("\(error)", "\(bogus): not an HDF5 file")
        }
    }

    func testWritingOverTheResumedInputIsRefused() throws {
        let out = temporaryPath("model.h5")
        try train(["--epochs", "1"], out: out)
        XCTAssertThrowsError(try train(["--epochs", "2", "--resume", out], out: out))
    }
}
