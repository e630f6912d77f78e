import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTStore

final class TensorBoardLogTests: XCTestCase {
    func testTensorBoardReadsBackEveryScalarTheTrainerLogged() throws {
        try requirePython("tensorboard")
        let data = try makeMiniatureCIFAR(perFile: 40)
        let folder = temporaryPath("tensorboard"), out = temporaryPath("tensorboard.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", out, "--epochs", "2", "--batch-size", "32",
                                                 "--eval-every", "2", "--tensorboard", folder]).run()
        let script = """
            import json, sys
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            events = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0})
            events.Reload()
            print(json.dumps({tag: [[e.step, e.value] for e in events.Scalars(tag)] for tag in events.Tags()['scalars']}))
            """
        let output = try python(needs: "tensorboard", script, [folder])
        let scalars = try JSONDecoder().decode([String: [[Double]]].self, from: Data(output.utf8))
        let file = try Checkpoint.load(from: out)
        let logs = try file.epochLogs(file: out)
        // Per epoch: the HDF5 log's values, rounded to float32 as TensorBoard stores them.
        XCTAssertEqual(scalars["epoch/train_loss"]?.map { $0[0] }, [1, 2])
        XCTAssertEqual(scalars["epoch/train_loss"]?.map { $0[1] }, logs.map { Double(Float($0.trainLoss)) })
        XCTAssertEqual(scalars["epoch/train_accuracy"]?.map { $0[1] }, logs.map { Double(Float($0.trainAccuracy)) })
        XCTAssertEqual(scalars["epoch/lr"]?.map { $0[1] }, logs.map { Double(Float($0.learningRate)) })
        // Evaluated only at epoch 2 (--eval-every 2), with head / medium / tail.
        XCTAssertEqual(scalars["epoch/test_accuracy"]?.map { $0[0] }, [2])
        XCTAssertEqual(scalars["epoch/test_accuracy"]?.first?[1], Double(Float(logs[1].testAccuracy)))
        let perClass = try XCTUnwrap(file.eval["per_class_accuracy"]?.doubles)
        let head = (perClass[0] + perClass[1] + perClass[2]) / 3
        XCTAssertEqual(try XCTUnwrap(scalars["epoch/head"]?.first?[1]), Double(Float(head)), accuracy: 1e-6)
        XCTAssertNotNil(scalars["epoch/medium"])
        XCTAssertNotNil(scalars["epoch/tail"])
        // Per step: one point per optimizer step, numbered 1, 2, ...
        let steps = try XCTUnwrap(scalars["step/loss"]).map { Int($0[0]) }
        XCTAssertEqual(steps, Array(1...steps.count))
        XCTAssertEqual(steps.count % 2, 0, "two epochs of equal length")
        XCTAssertEqual(scalars["step/lr"]?.count, steps.count)
    }

    func testAFolderThatCannotBeMadeIsOneLineError() throws {
        let blocker = temporaryPath("tensorboard-blocker")
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data([1])))
        XCTAssertThrowsError(try TensorBoardLog(directory: blocker + "/runs")) { error in
            XCTAssertFalse("\(error)".contains("\n"), "\(error)")
        }
    }
}
