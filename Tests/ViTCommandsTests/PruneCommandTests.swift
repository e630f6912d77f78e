import ArgumentParser
import Foundation
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

final class PruneCommandTests: XCTestCase {
    private var data = ""
    private var folder = ""
    private var parent = ""

    override func setUpWithError() throws {
        data = try makeMiniatureCIFAR()
        folder = temporaryPath("prune")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        parent = folder + "/teacher.h5"
        try makeParentCheckpoint(at: parent)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: data)
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func prune(_ flags: [String], from input: String? = nil) throws {
        try PruneCommand.parse([input ?? parent, "--data", data] + flags).run()
    }

    private func fineTuning(epochs: Int) -> [String] {
        ["--finetune-epochs", "\(epochs)", "--warmup-epochs", "0", "--batch-size", "32", "--lr", "1e-2"]
    }

    private func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue
    }

    func testASweepWritesOneCheckpointPerLevelWithItsLineage() throws {
        try prune(["--sparsity", "0.3,0.5", "--out", folder + "/pruned.h5"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/pruned.h5"))
        let parentHash = try Checkpoint.sha256(ofFile: parent)
        for (level, name) in [(0.3, "pruned-s30.h5"), (0.5, "pruned-s50.h5")] {
            let path = folder + "/" + name
            let file = try Checkpoint.load(from: path)
            XCTAssertEqual(file.attributes["stage"], .string("pruned"))
            XCTAssertEqual(file.attributes["parent"], .string("teacher.h5"))
            XCTAssertEqual(file.attributes["parent_sha256"], .string(parentHash))
            guard case .double(let achieved)? = file.attributes["sparsity"] else { return XCTFail("no sparsity in \(name)") }
            XCTAssertEqual(achieved, level, accuracy: 1e-3)
            XCTAssertTrue(file.compressWeights)
            XCTAssertEqual(Set(file.masks.keys), Set((0..<2).flatMap { i in
                ["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"].map { "blocks.\(i).\($0).weight" }
            }))
            for (name, mask) in file.masks {
                for (value, keep) in zip(file.weights[name]!.tensor!.data, mask.tensor!.data) where keep == 0 {
                    XCTAssertEqual(value.bitPattern, 0, name)
                }
            }
            let json = try file.string("config", file: path)
            let settings = try ConfigJSON.decodeSection(PruningConfig.self, key: "pruning", from: json, file: path)
            XCTAssertEqual(settings?.sparsity, level)
            XCTAssertEqual(settings?.scope, .layer)
            XCTAssertEqual(settings?.layers, PrunableLayer.defaults)
            XCTAssertNotNil(try ConfigJSON.decodeSection(TrainingConfig.self, key: "training", from: json, file: path))
            XCTAssertEqual(file.eval["confusion"]?.shape, [10, 10])
            let loaded = try LoadedModel(path: path)
            XCTAssertEqual(SparsityReport(model: loaded.model).total, achieved, accuracy: 1e-6)
            XCTAssertNoThrow(try EvalCommand.parse([path, "--data", data, "--json"]).run())
        }
    }

    func testSweepOutputNamesCarryThePercentAndASingleLevelKeepsOut() {
        XCTAssertEqual(PruneCommand.outputPath("models/pruned.h5", sparsity: 0.3, sweep: true), "models/pruned-s30.h5")
        XCTAssertEqual(PruneCommand.outputPath("models/pruned.h5", sparsity: 0.05, sweep: true), "models/pruned-s5.h5")
        XCTAssertEqual(PruneCommand.outputPath("models/pruned.h5", sparsity: 0.333, sweep: true), "models/pruned-s33.3.h5")
        XCTAssertEqual(PruneCommand.outputPath("pruned", sparsity: 0.9, sweep: true), "pruned-s90")
        XCTAssertEqual(PruneCommand.outputPath("models/pruned.h5", sparsity: 0.3, sweep: false), "models/pruned.h5")
    }

    func testANinetyPercentSparseFileIsClearlySmallerThanTheDenseOne() throws {
        // Wide enough that the weights, not HDF5's few kilobytes per dataset, make up the file.
        let wide = folder + "/wide.h5"
        try makeParentCheckpoint(at: wide, configure: { $0.dim = 128; $0.mlpDim = 512; $0.depth = 1; $0.patchSize = 4 })
        let all = "qkv,proj,fc1,fc2,patch_embed,head"
        try prune(["--sparsity", "0,0.9", "--layers", all, "--out", folder + "/p.h5"], from: wide)
        let dense = try fileSize(folder + "/p-s0.h5"), sparse = try fileSize(folder + "/p-s90.h5")
        print("dense \(dense) bytes, 90% sparse \(sparse) bytes")
        XCTAssertLessThan(Double(sparse), 0.5 * Double(dense))
    }

    func testFineTuningKeepsEveryPrunedWeightExactlyZero() throws {
        let plain = folder + "/plain.h5", tuned = folder + "/tuned.h5"
        try prune(["--sparsity", "0.5", "--out", plain])
        try prune(["--sparsity", "0.5", "--out", tuned] + fineTuning(epochs: 2))
        let before = try Checkpoint.load(from: plain), after = try Checkpoint.load(from: tuned)
        XCTAssertEqual(before.masks, after.masks)  // one-shot masks stay fixed
        var moved = 0
        for (name, mask) in after.masks {
            let old = before.weights[name]!.tensor!.data, new = after.weights[name]!.tensor!.data
            for i in old.indices {
                if mask.tensor!.data[i] == 0 {
                    XCTAssertEqual(new[i].bitPattern, 0, "\(name)[\(i)] came back to life")
                } else if new[i] != old[i] {
                    moved += 1
                }
            }
        }
        XCTAssertGreaterThan(moved, 1000)  // the live weights did train
        // The log counts zeros in the weights after each epoch: none was revived at any epoch end.
        XCTAssertEqual(after.logs["epoch"]?.doubles, [1, 2])
        XCTAssertEqual(after.logs["sparsity"]?.doubles?.map { ($0 * 1e6).rounded() }, [500_000, 500_000])
        let settings = try ConfigJSON.decodeSection(PruningConfig.self, key: "pruning",
                                                    from: try after.string("config", file: tuned), file: tuned)
        XCTAssertEqual(settings?.finetuneEpochs, 2)
        XCTAssertEqual(settings?.finetune?.epochs, 2)
        XCTAssertEqual(settings?.finetune?.learningRate, 1e-2)
    }

    func testFineTuningAgainstATeacherKeepsZerosAndRecordsTheTeacher() throws {
        let tuned = folder + "/distilled.h5"
        try prune(["--sparsity", "0.7", "--out", tuned, "--teacher", parent, "--distill", "soft"] + fineTuning(epochs: 1))
        let file = try Checkpoint.load(from: tuned)
        XCTAssertEqual(file.attributes["teacher_sha256"], .string(try Checkpoint.sha256(ofFile: parent)))
        for (name, mask) in file.masks {
            let weights = file.weights[name]!.tensor!.data
            for (i, keep) in mask.tensor!.data.enumerated() where keep == 0 { XCTAssertEqual(weights[i], 0) }
        }
        XCTAssertThrowsError(try prune(["--sparsity", "0.5", "--out", folder + "/x.h5", "--teacher", parent]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/x.h5"))
    }

    func testGradualPruningRaisesSparsityWhileFineTuningToTheTarget() throws {
        let out = folder + "/gradual.h5"
        try prune(["--sparsity", "0.6", "--schedule", "gradual", "--prune-interval", "1", "--scope", "global",
                   "--out", out] + fineTuning(epochs: 2))
        let file = try Checkpoint.load(from: out)
        guard case .double(let achieved)? = file.attributes["sparsity"] else { return XCTFail("no sparsity attribute") }
        XCTAssertEqual(achieved, 0.6, accuracy: 1e-4)
        let column = file.logs["sparsity"]!.doubles!
        XCTAssertGreaterThan(column[0], 0.3)   // after epoch 1 of 2: s = 0.6 (1 - 1/8) = 0.525
        XCTAssertLessThan(column[0], 0.59)
        XCTAssertEqual(column[1], 0.6, accuracy: 1e-4)
        for (name, mask) in file.masks {
            for (value, keep) in zip(file.weights[name]!.tensor!.data, mask.tensor!.data) where keep == 0 {
                XCTAssertEqual(value.bitPattern, 0, name)
            }
        }
    }

    func testRemovingHeadsWritesASmallerModelThatLoadsEvaluatesAndFineTunes() throws {
        let out = folder + "/heads.h5"
        try prune(["--sparsity", "0.5", "--structure", "heads", "--out", out] + fineTuning(epochs: 1))
        let loaded = try LoadedModel(path: out)
        XCTAssertEqual(loaded.model.config.blockHeads, [2, 2])
        XCTAssertEqual(loaded.model.byName["blocks.0.attn.qkv.weight"]?.shape, [48, 32])  // 3 * 2 heads * 8
        XCTAssertEqual(loaded.model.byName["blocks.1.attn.proj.weight"]?.shape, [32, 16])
        XCTAssertTrue(loaded.checkpoint.masks.isEmpty)
        let dense = try LoadedModel(path: parent).model.parameterCount
        guard case .double(let removed)? = loaded.checkpoint.attributes["params_removed_fraction"],
              case .double(let achieved)? = loaded.checkpoint.attributes["sparsity"] else {
            return XCTFail("missing attributes")
        }
        XCTAssertEqual(removed, 1 - Double(loaded.model.parameterCount) / Double(dense), accuracy: 1e-12)
        XCTAssertEqual(achieved, 0.5, accuracy: 1e-12)  // half of the qkv and proj weights are gone
        XCTAssertEqual(loaded.checkpoint.logs["epoch"]?.doubles, [1])
        XCTAssertNoThrow(try EvalCommand.parse([out, "--data", data]).run())
    }

    func testRemovingNeuronsAcrossBlocksRecordsTheNewWidths() throws {
        let out = folder + "/neurons.h5"
        try prune(["--sparsity", "0.75", "--structure", "neurons", "--scope", "global", "--out", out])
        let config = try LoadedModel(path: out).model.config
        XCTAssertEqual(config.blockMlpDims?.reduce(0, +), 32)  // round(0.75 * 128) of 128 neurons removed
        XCTAssertTrue(config.blockMlpDims!.allSatisfy { $0 >= 1 })
        XCTAssertNil(config.blockHeads)
    }

    func testTaylorCriterionIsRecordedAndRanksDifferentlyFromMagnitude() throws {
        let taylor = folder + "/taylor.h5", magnitude = folder + "/magnitude.h5"
        try prune(["--sparsity", "0.5", "--criterion", "taylor", "--criterion-batches", "2", "--batch-size", "16",
                   "--out", taylor])
        try prune(["--sparsity", "0.5", "--out", magnitude])
        let file = try Checkpoint.load(from: taylor)
        let settings = try XCTUnwrap(try ConfigJSON.decodeSection(PruningConfig.self, key: "pruning",
                                                                  from: try file.string("config", file: taylor), file: taylor))
        XCTAssertEqual(settings.criterion, .taylor)
        XCTAssertEqual(settings.criterionBatches, 2)
        let byMagnitude = try Checkpoint.load(from: magnitude)
        let magnitudeSettings = try ConfigJSON.decodeSection(PruningConfig.self, key: "pruning",
                                                             from: try byMagnitude.string("config", file: magnitude), file: magnitude)
        XCTAssertNil(magnitudeSettings?.criterion, "magnitude files keep the settings they always had")
        // Same sparsity, different weights kept.
        let name = "blocks.0.mlp.fc1.weight"
        XCTAssertEqual(file.masks[name]?.floats?.filter { $0 == 0 }.count, byMagnitude.masks[name]?.floats?.filter { $0 == 0 }.count)
        XCTAssertNotEqual(file.masks[name]?.floats, byMagnitude.masks[name]?.floats)
        // Heads ranked by Taylor scores: a smaller model too.
        try prune(["--sparsity", "0.5", "--structure", "heads", "--criterion", "taylor", "--criterion-batches", "1",
                   "--out", folder + "/taylor-heads.h5"])
        XCTAssertEqual(try LoadedModel(path: folder + "/taylor-heads.h5").model.config.blockHeads, [2, 2])
    }

    func testBadInputGetsAOneLineErrorAndWritesNoFile() throws {
        let quantized = folder + "/quantized.h5"
        try makeParentCheckpoint(at: quantized, edit: { $0.attributes["stage"] = .string("int8") })
        let cases: [([String], String?, String)] = [
            (["--sparsity", "1"], nil, "sparsity must be in [0, 1), got 1.0"),
            (["--sparsity", "0.5,-0.2"], nil, "sparsity must be in [0, 1), got -0.2"),
            (["--sparsity", "half"], nil, "--sparsity: 'half' is not a number"),
            (["--sparsity", "0.5,0.50"], nil, "--sparsity lists a level twice: 0.5,0.50"),
            (["--sparsity", "0.5", "--layers", "qkv,mlp"], nil, "unknown layer 'mlp'"),
            (["--sparsity", "0.5", "--epochs", "3"], nil, "--epochs does not apply"),
            (["--sparsity", "0.5", "--schedule", "gradual"], nil, "needs at least 1 fine-tuning epoch"),
            (["--sparsity", "0.5", "--finetune-epochs", "2"], nil, "--warmup-epochs 5 must be below --finetune-epochs 2"),
            (["--sparsity", "0.5"], quantized, "already quantized (stage int8)"),
            (["--sparsity", "0.5", "--criterion", "taylor", "--schedule", "gradual", "--finetune-epochs", "2",
              "--warmup-epochs", "0"], nil, "the gradual schedule uses magnitude"),
            (["--sparsity", "0.5", "--criterion", "taylor", "--criterion-batches", "0"], nil, "criterion batches must be at least 1"),
        ]
        for (flags, input, message) in cases {
            let out = folder + "/never/out.h5"
            XCTAssertThrowsError(try prune(flags + ["--out", out], from: input)) { error in
                let text = PruneCommand.message(for: error)
                XCTAssertTrue(text.contains(message), "\(flags): \(text)")
                XCTAssertFalse(text.contains("\n"), "\(flags): \(text)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(flags)")
        }
        XCTAssertThrowsError(try prune(["--sparsity", "0.5", "--out", parent])) { error in
            XCTAssertTrue(PruneCommand.message(for: error).contains("refusing to overwrite the input"))
        }
    }
}
