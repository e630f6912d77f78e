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

    func testAFileThatIsNotHDF5GetsAOneLineError() throws {
        let bogus = temporaryPath("bogus.h5")
        try "hello".write(toFile: bogus, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EvalCommand.parse([bogus]).run()) { error in
            XCTAssertEqual("\(error)", "\(bogus): not an HDF5 file")
        }
    }
}
