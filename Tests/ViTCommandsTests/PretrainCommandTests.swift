import ArgumentParser
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

final class PretrainCommandTests: XCTestCase {
    private var data = ""

    override func setUpWithError() throws {
        data = try makeMiniatureCIFAR()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: data)
    }

    private func pretrain(_ extra: [String], out: String, model: [String] = tinyModelFlags) throws {
        try PretrainCommand.parse(model + ["--data", data, "--out", out, "--batch-size", "32", "--warmup-epochs", "0",
                                           "--lr", "3e-3"] + extra).run()
    }

    private func train(_ extra: [String], out: String, model: [String] = tinyModelFlags) throws {
        try TrainCommand.parse(model + ["--data", data, "--out", out, "--batch-size", "32", "--warmup-epochs", "1",
                                        "--epochs", "1"] + extra).run()
    }

    private func encoderWeights(_ file: Checkpoint) -> [String: StoredArray] {
        file.weights.filter { !$0.key.hasPrefix("head") && !$0.key.hasPrefix("decoder.") }
    }

    func testPretrainingLowersTheReconstructionLossAndWritesEncoderDecoderAndLog() throws {
        let out = temporaryPath("pretrained.h5")
        try pretrain(["--epochs", "2", "--seed", "3"], out: out)
        let file = try Checkpoint.load(from: out)
        XCTAssertEqual(try file.string("stage", file: out), "pretrained")
        XCTAssertEqual(file.attributes["head_trained"], .int(0))
        let loss = try XCTUnwrap(file.logs["train_loss"]?.doubles)
        XCTAssertEqual(loss.count, 2)
        XCTAssertLessThan(loss[1], loss[0])
        XCTAssertEqual(file.logs["epoch"]?.doubles, [1, 2])
        XCTAssertNotNil(file.logs["seconds"])
        XCTAssertEqual(try file.epochLogs(file: out).count, 2)  // readable as a training log (accuracies NaN)
        XCTAssertEqual(file.weights["decoder.deconv.weight"]?.shape, [16, 3, 8, 8])
        XCTAssertEqual(file.weights["decoder.conv.weight"]?.shape, [3, 3, 3, 3])
        XCTAssertNil(file.weights["decoder.mask_token"])
        XCTAssertNotNil(file.weights["blocks.0.attn.qkv.weight"])
        let pretraining = try XCTUnwrap(try ConfigJSON.decodeSection(PretrainingConfig.self, key: "pretraining",
                                                                      from: file.string("config", file: out), file: out))
        XCTAssertEqual(pretraining.objective, .image)
        XCTAssertEqual(pretraining.epochs, 2)
        XCTAssertEqual(pretraining.seed, 3)
        XCTAssertEqual(try file.modelConfig(file: out).dim, 16)
    }

    func testMaskedPretrainingStoresTheMaskTokenAndObjective() throws {
        let out = temporaryPath("masked.h5")
        try pretrain(["--epochs", "1", "--mask-ratio", "0.75"], out: out)
        let file = try Checkpoint.load(from: out)
        XCTAssertEqual(file.weights["decoder.mask_token"]?.shape, [1, 1, 16])
        let json = try file.string("config", file: out)
        let pretraining = try ConfigJSON.decodeSection(PretrainingConfig.self, key: "pretraining", from: json, file: out)
        XCTAssertEqual(pretraining?.objective, .masked)
        XCTAssertEqual(pretraining?.maskRatio, 0.75)
    }

    func testMaskRatioOutsideZeroToOneIsRejected() {
        for ratio in ["1", "-0.25", "1.5"] {
            let out = temporaryPath("never.h5")
            XCTAssertThrowsError(try pretrain(["--mask-ratio=\(ratio)"], out: out)) { error in
                XCTAssertTrue(PretrainCommand.message(for: error).contains("mask ratio must be in [0, 1)"),
                              PretrainCommand.message(for: error))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testInitCopiesTheEncoderExactlyAndRecordsTheFile() throws {
        let pretrained = temporaryPath("pretrained.h5"), tuned = temporaryPath("tuned.h5")
        try pretrain(["--epochs", "1", "--mask-ratio", "0.5"], out: pretrained)
        // Scale 0 freezes the copied encoder (AdamW with a zero rate leaves a weight exactly as it is).
        try train(["--init", pretrained, "--encoder-lr-scale", "0"], out: tuned)
        let source = try Checkpoint.load(from: pretrained), result = try Checkpoint.load(from: tuned)
        XCTAssertEqual(encoderWeights(result), encoderWeights(source))
        XCTAssertEqual(encoderWeights(result).count, encoderWeights(source).count)
        XCTAssertNotEqual(result.weights["head.weight"], source.weights["head.weight"])
        XCTAssertNil(result.weights["decoder.deconv.weight"])
        XCTAssertEqual(result.attributes["init"], .string((pretrained as NSString).lastPathComponent))
        XCTAssertEqual(result.attributes["init_sha256"], .string(try Checkpoint.sha256(ofFile: pretrained)))
        let training = try ConfigJSON.decodeSection(TrainingConfig.self, key: "training",
                                                    from: result.string("config", file: tuned), file: tuned)
        XCTAssertEqual(training?.encoderLearningRateScale, 0)
    }

    func testInitDefaultsToAHundredthOfTheLearningRateForTheEncoder() throws {
        let pretrained = temporaryPath("pretrained.h5"), tuned = temporaryPath("tuned.h5")
        let fresh = temporaryPath("fresh.h5")
        try pretrain(["--epochs", "1"], out: pretrained)
        try train(["--init", pretrained], out: tuned)
        try train([], out: fresh)
        let source = encoderWeights(try Checkpoint.load(from: pretrained))
        let tunedWeights = encoderWeights(try Checkpoint.load(from: tuned))
        let freshWeights = encoderWeights(try Checkpoint.load(from: fresh))
        XCTAssertNotEqual(tunedWeights, source)
        // AdamW moves each weight by about the rate per step: 1e-5 a step at a hundredth of 1e-3.
        func largestChange(_ a: [String: StoredArray], _ b: [String: StoredArray]) -> Float {
            a.keys.map { name in zip(a[name]!.tensor!.data, b[name]!.tensor!.data).map { abs($0 - $1) }.max() ?? 0 }.max()!
        }
        XCTAssertLessThan(largestChange(tunedWeights, source), 1e-4)
        XCTAssertNotEqual(freshWeights, tunedWeights)
        let training = try ConfigJSON.decodeSection(TrainingConfig.self, key: "training",
                                                    from: try Checkpoint.load(from: tuned).string("config", file: tuned),
                                                    file: tuned)
        XCTAssertEqual(training?.encoderLearningRateScale, 0.01)
    }

    func testInitFromAnotherArchitectureFailsWithAOneLineErrorAndNoFile() throws {
        let pretrained = temporaryPath("pretrained.h5")
        try pretrain(["--epochs", "1"], out: pretrained)
        let cases: [([String], String)] = [
            (["--depth", "2"], "pre-trained with depth 1, but the model has 2"),
            // Same shapes, other heads: only the config tells them apart.
            (["--heads", "4"], "pre-trained with heads 2, but the model has 4"),
        ]
        for (flags, message) in cases {
            let out = temporaryPath("never.h5")
            XCTAssertThrowsError(try train(["--init", pretrained], out: out, model: tinyModelFlags + flags)) { error in
                let text = TrainCommand.message(for: error)
                XCTAssertTrue(text.contains(message), text)
                XCTAssertTrue(text.contains(pretrained), text)
                XCTAssertFalse(text.contains("\n"), text)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }

    func testInitWithAMissingWeightNamesIt() throws {
        let pretrained = temporaryPath("pretrained.h5")
        try pretrain(["--epochs", "1"], out: pretrained)
        var file = try Checkpoint.load(from: pretrained)
        file.weights["blocks.0.norm1.bias"] = nil
        try file.save(to: pretrained)
        let out = temporaryPath("never.h5")
        XCTAssertThrowsError(try train(["--init", pretrained], out: out)) { error in
            XCTAssertEqual(TrainCommand.message(for: error),
                           "\(pretrained): missing weight /weights/blocks/0/norm1/bias for the model's encoder")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testInitWithResumeOrAScaleWithoutInitIsRejected() throws {
        let out = temporaryPath("never.h5")
        XCTAssertThrowsError(try TrainCommand.parse(["--init", "a.h5", "--resume", "b.h5", "--out", out]).run()) { error in
            XCTAssertTrue(TrainCommand.message(for: error).contains("--init starts a new run"))
        }
        XCTAssertThrowsError(try TrainCommand.parse(["--encoder-lr-scale", "0.1", "--out", out]).run()) { error in
            XCTAssertTrue(TrainCommand.message(for: error).contains("add --init"))
        }
    }
}
