import ViTCore
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTStore

final class EvalCommandTests: XCTestCase {
    func testEvaluatesATrainedCheckpointAsJSON() throws {
        let data = try makeMiniatureCIFAR()
        let out = temporaryPath("model.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", out, "--epochs", "1", "--batch-size", "32"]).run()
        XCTAssertNoThrow(try EvalCommand.parse([out, "--data", data, "--json"]).run())
        if CPUCapabilities.current.nativeBFloat16 {
            XCTAssertNoThrow(try EvalCommand.parse([out, "--data", data, "--precision", "bf16"]).run())
        } else {
            XCTAssertThrowsError(try EvalCommand.parse([out, "--data", data, "--precision", "bf16"]).run()) {
                XCTAssertTrue("\($0)".contains("use --precision f32 or auto"), "\($0)")
            }
        }
        XCTAssertNoThrow(try EvalCommand.parse([out, "--data", data, "--precision", "auto"]).run())
    }

    func testWritingACopyDropsTheOptimizerStateAndKeepsTheWeights() throws {
        let data = try makeMiniatureCIFAR()
        let trained = temporaryPath("trained.h5"), shared = temporaryPath("shared.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", trained, "--epochs", "1", "--batch-size", "32"]).run()
        try EvalCommand.parse([trained, "--data", data, "--out", shared]).run()
        let original = try Checkpoint.load(from: trained), copy = try Checkpoint.load(from: shared)
        XCTAssertFalse(original.optimizer.isEmpty)
        XCTAssertTrue(copy.optimizer.isEmpty)
        XCTAssertEqual(copy.weights, original.weights)
        XCTAssertEqual(copy.eval["accuracy"], original.eval["accuracy"])
        XCTAssertThrowsError(try EvalCommand.parse([trained, "--data", data, "--out", trained]).run())
    }

    func testRefittingThePostHocAdjustmentUndoesTheStoredOneAndFoldsTheNewChoice() throws {
        let data = try makeMiniatureCIFAR()
        let trained = temporaryPath("split.h5"), same = temporaryPath("same.h5"), byAccuracy = temporaryPath("acc.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", trained, "--epochs", "2", "--batch-size", "32",
                                                 "--validation-fraction", "0.3", "--no-optimizer-state"]).run()
        let original = try Checkpoint.load(from: trained)
        let tau = Float(try XCTUnwrap(original.eval["posthoc_tau"]?.doubles?.first))
        let prior = logPrior(classCounts: try XCTUnwrap(original.eval["class_counts"]?.int64s).map { Int($0) })
        let saved = try XCTUnwrap(original.weights["head.bias"]?.tensor)
        let learned = (0..<saved.count).map { saved.data[$0] + tau * prior[$0] }
        // The same criterion chooses the same tau again: the same model, to round-off.
        try EvalCommand.parse([trained, "--data", data, "--refit-posthoc", "--out", same]).run()
        let refitted = try Checkpoint.load(from: same)
        XCTAssertEqual(refitted.eval["posthoc_tau"], original.eval["posthoc_tau"])
        let again = try XCTUnwrap(refitted.weights["head.bias"]?.tensor)
        for c in 0..<saved.count { XCTAssertEqual(again.data[c], saved.data[c], accuracy: 1e-5) }
        XCTAssertEqual(refitted.eval["unadjusted_accuracy"], original.eval["unadjusted_accuracy"])
        // By accuracy: the learned biases minus that criterion's tau times the log prior.
        try EvalCommand.parse([trained, "--data", data, "--refit-posthoc", "--posthoc-criterion", "accuracy",
                               "--out", byAccuracy]).run()
        let other = try Checkpoint.load(from: byAccuracy)
        let otherTau = Float(try XCTUnwrap(other.eval["posthoc_tau"]?.doubles?.first))
        XCTAssertTrue(postHocTauGrid.contains(otherTau))
        let otherBias = try XCTUnwrap(other.weights["head.bias"]?.tensor)
        for c in 0..<saved.count { XCTAssertEqual(otherBias.data[c], learned[c] - otherTau * prior[c], accuracy: 1e-5) }
        let rescored = try evaluate(try other.makeModel(file: byAccuracy), on: try CIFAR10.loadTest(directory: data))
        XCTAssertEqual(rescored.accuracy, try XCTUnwrap(other.eval["accuracy"]?.doubles?.first), accuracy: 1e-12)
        XCTAssertEqual(try Checkpoint.load(from: trained).weights, original.weights, "the input is left as it was")
    }

    func testRefittingACheckpointOfARunStillTrainingScoresItBeforeAndAfterTheFold() throws {
        let data = try makeMiniatureCIFAR()
        let stopped = temporaryPath("stopped.h5"), partial = temporaryPath("partial.h5"), snapshot = temporaryPath("snapshot.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", stopped, "--epochs", "3", "--batch-size", "32",
                                                 "--validation-fraction", "0.3", "--stop-after-epochs", "1"]).run()
        // The file a run writes after each epoch, before its end adds the split, the evaluation
        // and the fold: the stopped run's file with those taken out again.
        var original = try Checkpoint.load(from: stopped)
        for name in Checkpoint.adjustableBiases {
            if let learned = original.optimizer.removeValue(forKey: "unadjusted." + name) { original.weights[name] = learned }
        }
        original.eval = ["class_counts": try XCTUnwrap(original.eval["class_counts"])]
        try original.save(to: partial)
        XCTAssertFalse(original.optimizer.isEmpty)
        try EvalCommand.parse([partial, "--data", data, "--refit-posthoc", "--out", snapshot]).run()
        let result = try Checkpoint.load(from: snapshot)
        XCTAssertTrue(result.optimizer.isEmpty, "a snapshot is not resumable once its head is folded")
        XCTAssertNotNil(result.eval["validation_indices"])
        // The unadjusted figures are the checkpoint's own weights, scored on the test set.
        let test = try CIFAR10.loadTest(directory: data)
        let unadjusted = try evaluate(try original.makeModel(file: partial), on: test)
        XCTAssertEqual(try XCTUnwrap(result.eval["unadjusted_accuracy"]?.doubles?.first), unadjusted.accuracy, accuracy: 1e-12)
        // The bias becomes b - tau log prior, and the stored accuracy is the folded model's.
        let tau = Float(try XCTUnwrap(result.eval["posthoc_tau"]?.doubles?.first))
        let prior = logPrior(classCounts: try XCTUnwrap(original.eval["class_counts"]?.int64s).map { Int($0) })
        let learned = try XCTUnwrap(original.weights["head.bias"]?.tensor)
        let folded = try XCTUnwrap(result.weights["head.bias"]?.tensor)
        for c in 0..<learned.count { XCTAssertEqual(folded.data[c], learned.data[c] - tau * prior[c], accuracy: 1e-6) }
        let rescored = try evaluate(try result.makeModel(file: snapshot), on: test)
        XCTAssertEqual(rescored.accuracy, try XCTUnwrap(result.eval["accuracy"]?.doubles?.first), accuracy: 1e-12)
    }

    func testRefittingNeedsAValidationSplitAndAnOutput() throws {
        let data = try makeMiniatureCIFAR()
        let plain = temporaryPath("plain.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", plain, "--epochs", "1", "--batch-size", "32"]).run()
        XCTAssertThrowsError(try EvalCommand.parse([plain, "--data", data, "--refit-posthoc",
                                                    "--out", temporaryPath("x.h5")]).run()) { error in
            XCTAssertTrue("\(error)".contains("without --validation-fraction"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertThrowsError(try EvalCommand.parseAsRoot([plain, "--refit-posthoc"]))
    }

    func testATauChosenOnAnotherRunsSplitFoldsIntoAModelTrainedOnAllImages() throws {
        let data = try makeMiniatureCIFAR()
        let split = temporaryPath("donor.h5"), full = temporaryPath("full.h5"), adjusted = temporaryPath("adjusted.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", split, "--epochs", "2", "--batch-size", "32",
                                                 "--validation-fraction", "0.3", "--no-optimizer-state"]).run()
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", full, "--epochs", "1", "--batch-size", "32",
                                                 "--no-optimizer-state"]).run()
        try EvalCommand.parse([full, "--data", data, "--posthoc-tau-from", split, "--out", adjusted]).run()
        let donor = try Checkpoint.load(from: split), original = try Checkpoint.load(from: full)
        let result = try Checkpoint.load(from: adjusted)
        let tau = try XCTUnwrap(donor.eval["posthoc_tau"]?.doubles?.first)
        XCTAssertEqual(result.eval["posthoc_tau"]?.doubles?.first, tau)
        XCTAssertEqual(result.attributes["posthoc_tau_source"], .string(split))
        // The bias becomes b - tau log prior, with the target's own class counts as the prior.
        let prior = logPrior(classCounts: try XCTUnwrap(original.eval["class_counts"]?.int64s).map { Int($0) })
        let learned = try XCTUnwrap(original.weights["head.bias"]?.tensor)
        let folded = try XCTUnwrap(result.weights["head.bias"]?.tensor)
        for c in 0..<learned.count {
            XCTAssertEqual(folded.data[c], learned.data[c] - Float(tau) * prior[c], accuracy: 1e-6)
        }
        XCTAssertEqual(result.eval["unadjusted_accuracy"], original.eval["accuracy"])
        let rescored = try evaluate(try result.makeModel(file: adjusted), on: try CIFAR10.loadTest(directory: data))
        XCTAssertEqual(rescored.accuracy, try XCTUnwrap(result.eval["accuracy"]?.doubles?.first), accuracy: 1e-12)
        XCTAssertEqual(try Checkpoint.load(from: full).weights, original.weights, "the input is left as it was")
        // A source without a validation split, and a target already adjusted, get one-line errors.
        XCTAssertThrowsError(try EvalCommand.parse([split, "--data", data, "--posthoc-tau-from", full,
                                                    "--out", temporaryPath("x.h5")]).run()) { error in
            XCTAssertTrue("\(error)".contains("no post-hoc tau chosen on a validation split"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        XCTAssertThrowsError(try EvalCommand.parse([adjusted, "--data", data, "--posthoc-tau-from", split,
                                                    "--out", temporaryPath("y.h5")]).run()) { error in
            XCTAssertTrue("\(error)".contains("already holds a post-hoc adjustment"), "\(error)")
        }
        XCTAssertThrowsError(try EvalCommand.parseAsRoot([full, "--posthoc-tau-from", split]))
    }

    func testAFileThatIsNotHDF5GetsAOneLineError() throws {
        let bogus = temporaryPath("bogus.h5")
        try "hello".write(toFile: bogus, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EvalCommand.parse([bogus]).run()) { error in
            XCTAssertEqual("\(error)", "\(bogus): not an HDF5 file")
        }
    }
}
