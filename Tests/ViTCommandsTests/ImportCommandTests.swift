import ArgumentParser
import Foundation
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

final class ImportCommandTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = temporaryPath("import")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static let classTokenFlags = ["--preset", "student", "--dim", "16", "--depth", "1", "--heads", "2",
                                          "--mlp-dim", "32", "--patch-size", "8"]
    private static let convFlags = ["--preset", "student", "--tokenizer", "conv", "--conv-layers", "2", "--conv-channels", "8",
                                    "--dim", "16", "--depth", "1", "--heads", "2", "--mlp-dim", "32", "--pool", "seq"]
    private static let batchNormFlags = classTokenFlags + ["--norm", "batch", "--pool", "mean"]

    /// A vitc model of `flags` with random values everywhere (timm's init leaves biases at 0 and
    /// norms at 1, which would hide a swapped name), saved as a checkpoint.
    private func savedModel(_ flags: [String], seed: UInt64 = 3) throws -> (path: String, model: VisionTransformer) {
        let config = try ModelOptions.parse(flags).config()
        var generator = SeededGenerator(seed: seed)
        let initial = ParameterLayout.initialValues(config, generator: &generator)
        var values: [String: Tensor] = [:]
        for name in initial.keys.sorted() {
            let draw = initial[name]!.data.map { _ in generator.nextNormal() * 0.3 }
            values[name] = Tensor(shape: initial[name]!.shape, data: name.hasSuffix(".running_var") ? draw.map { 0.5 + abs($0) } : draw)
        }
        let model = try VisionTransformer(config: config, values: values)
        let path = folder + "/original-\(seed).h5"
        try Checkpoint(model: model, record: ModelRecord(stage: .teacher, model: config, seed: seed), command: ["test"])
            .save(to: path)
        return (path, model)
    }

    /// The model's state_dict as vitc's own writer puts it in a safetensors file.
    private func stateDict(_ model: VisionTransformer) -> SafeTensors {
        SafeTensors(tensors: Dictionary(uniqueKeysWithValues: model.parametersAndBuffers.map { ($0.name, $0.value) }))
    }

    private func importFile(_ source: String, _ flags: [String], out name: String = "imported.h5") throws -> String {
        let out = folder + "/" + name
        try ImportCommand.parse([source, "--out", out] + flags).run()
        return out
    }

    private func randomImages(_ count: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: [count, 3, 32, 32], data: (0..<count * 3 * 32 * 32).map { _ in generator.nextNormal() })
    }

    /// The one-line message of the error `body` throws, which must name `file`.
    private func failure(naming file: String, line: UInt = #line, _ body: () throws -> Void) -> String {
        do {
            try body()
            XCTFail("no error", line: line)
            return ""
        } catch {
            let message = "\(error)"
            XCTAssertTrue(message.contains(file), message, line: line)
            XCTAssertFalse(message.contains("\n"), message, line: line)
            return message
        }
    }

    // MARK: vitc -> h5py -> safetensors (Python) -> vit-import

    private static let exportScript = """
        import sys, h5py, numpy as np
        from safetensors.numpy import save_file
        state = {}
        with h5py.File(sys.argv[1], "r") as f:
            f["weights"].visititems(lambda name, d: state.__setitem__(name.replace("/", "."), d[()])
                                    if isinstance(d, h5py.Dataset) else None)
        for name in sys.argv[3:]:  # PyTorch's BatchNorm step counters, int64 scalars
            state[name] = np.array(7, dtype=np.int64)
        save_file(state, sys.argv[2], metadata={"format": "pt"})
        """

    private func checkRoundTrip(_ flags: [String], useConfigFile: Bool = false, extraNames: [String] = [],
                                line: UInt = #line) throws {
        let (original, model) = try savedModel(flags)
        let source = folder + "/model.safetensors"
        _ = try python(needs: "safetensors, h5py, numpy", Self.exportScript, [original, source] + extraNames)
        var importFlags = flags
        if useConfigFile {
            let config = folder + "/config.json"
            try Checkpoint.load(from: original).string("config", file: original).write(toFile: config, atomically: true, encoding: .utf8)
            importFlags = ["--config", config]
        }
        let out = try importFile(source, importFlags)

        let before = try Checkpoint.load(from: original), after = try Checkpoint.load(from: out)
        XCTAssertEqual(Set(after.weights.keys), Set(before.weights.keys), line: line)
        for (name, stored) in before.weights {
            XCTAssertEqual(after.weights[name]?.shape, stored.shape, name, line: line)
            XCTAssertEqual(after.weights[name]?.floats?.map(\.bitPattern), stored.floats?.map(\.bitPattern), name, line: line)
        }
        XCTAssertEqual(try after.modelConfig(file: out), model.config, line: line)
        XCTAssertEqual(after.attributes["stage"], .string("imported"), line: line)
        XCTAssertEqual(after.attributes["source"], .string("model.safetensors"), line: line)
        XCTAssertEqual(after.attributes["source_sha256"], .string(try Checkpoint.sha256(ofFile: source)), line: line)
        let record = try ConfigJSON.decodeSection(Checkpoint.ImportSource.self, key: "import",
                                                  from: after.string("config", file: out), file: out)
        XCTAssertEqual(record, Checkpoint.ImportSource(source: "model.safetensors", sourceSHA256: try Checkpoint.sha256(ofFile: source),
                                                       dtypes: ["F32"], ignored: extraNames.sorted()), line: line)

        let images = randomImages(4, seed: 21)
        let ours = try after.makeModel(file: out).forward(images).logits.data
        let reference = model.forward(images).logits.data
        XCTAssertEqual(ours.map(\.bitPattern), reference.map(\.bitPattern), "logits of the imported model", line: line)
    }

    func testClassTokenModelRoundTripsThroughPythonBitForBit() throws {
        try checkRoundTrip(Self.classTokenFlags)
    }

    func testConvTokenizerSequencePoolModelRoundTripsFromItsConfigFile() throws {
        try checkRoundTrip(Self.convFlags, useConfigFile: true)
    }

    func testBatchNormModelRoundTripsDroppingPyTorchStepCounters() throws {
        try checkRoundTrip(Self.batchNormFlags, extraNames: ["blocks.0.norm1.num_batches_tracked", "norm.num_batches_tracked"])
    }

    // MARK: timm -> safetensors -> vit-import

    private static let timmScript = """
        import sys, json, torch, timm
        from safetensors.torch import save_file
        arguments = json.loads(sys.argv[1])
        torch.manual_seed(0)
        model = timm.models.vision_transformer.VisionTransformer(**arguments).eval()
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0, 0.3)
            images = torch.randn(4, 3, 32, 32)
            logits = model(images)
        save_file(model.state_dict(), sys.argv[2])
        save_file({"images": images.contiguous(), "logits": logits.contiguous()}, sys.argv[3])
        with open(sys.argv[4], "w") as f:
            json.dump(arguments, f)
        """

    /// timm's VisionTransformer built from `arguments` (also written as the --config file) with
    /// random weights: its state_dict imported, vitc's logits on timm's images against timm's.
    private func importTimmModel(_ arguments: String) throws -> (out: String, worst: Float) {
        let (source, inputs, config) = (folder + "/timm.safetensors", folder + "/inputs.safetensors", folder + "/timm.json")
        _ = try python(needs: "timm, torch, safetensors", Self.timmScript, [arguments, source, inputs, config])
        let out = try importFile(source, ["--config", config])
        let reference = try SafeTensors.read(from: inputs)
        let logits = try Checkpoint.load(from: out).makeModel(file: out).forward(reference.tensors["images"]!).logits
        XCTAssertEqual(logits.shape, reference.tensors["logits"]!.shape)
        let worst = zip(logits.data, reference.tensors["logits"]!.data).map { abs($0 - $1) }.max() ?? .infinity
        print("\(worst < 1e-4 ? "OK" : "NOT OK") logits against timm: largest difference \(worst)")
        return (out, worst)
    }

    private static let timmTiny = #""img_size": 32, "patch_size": 8, "embed_dim": 16, "depth": 1, "num_heads": 2, "#
        + #""mlp_ratio": 2.0, "num_classes": 10"#

    func testTimmClassTokenModelGivesTimmsLogits() throws {
        let (out, worst) = try importTimmModel("{\(Self.timmTiny), \"global_pool\": \"token\", \"class_token\": true, \"fc_norm\": false}")
        XCTAssertLessThan(worst, 1e-4)
        let config = try Checkpoint.load(from: out).modelConfig(file: out)
        XCTAssertEqual([config.dim, config.depth, config.heads, config.mlpDim, config.patchSize], [16, 1, 2, 32, 8])
        XCTAssertEqual(config.pool, .cls)
    }

    func testTimmAveragePooledModelGivesTimmsLogits() throws {
        let (out, worst) = try importTimmModel("{\(Self.timmTiny), \"global_pool\": \"avg\", \"class_token\": false, \"fc_norm\": false}")
        XCTAssertLessThan(worst, 1e-4)
        XCTAssertEqual(try Checkpoint.load(from: out).modelConfig(file: out).pool, .mean)
    }

    func testTimmsNormAfterPoolingIsRefusedWithAHint() throws {
        // timm's default for global_pool "avg" is fc_norm: the final norm after pooling, not before.
        try requirePython("timm, torch, safetensors")
        let message = failure(naming: "timm.safetensors") {
            _ = try importTimmModel("{\(Self.timmTiny), \"global_pool\": \"avg\", \"class_token\": false}")
        }
        XCTAssertTrue(message.contains("missing norm.weight [16], norm.bias [16]; unexpected fc_norm.bias, fc_norm.weight "
                                       + "(timm's fc_norm: build the model with fc_norm=False)"), message)
    }

    // MARK: refusals, each in one line

    func testMismatchedShapeMissingAndUnexpectedNamesAndTruncatedFilesAreRefused() throws {
        let (_, model) = try savedModel(Self.classTokenFlags)
        let source = folder + "/model.safetensors"
        func attempt(_ edit: (inout SafeTensors) -> Void) -> String {
            var state = stateDict(model)
            edit(&state)
            try? state.write(to: source)
            return failure(naming: source) { _ = try importFile(source, Self.classTokenFlags) }
        }
        var message = attempt { $0.tensors["head.weight"] = Tensor(zeros: [10, 8]) }
        XCTAssertTrue(message.hasSuffix("does not match the architecture: head.weight has shape [10, 8], expected [10, 16]"), message)
        message = attempt { $0.tensors["norm.bias"] = nil }
        XCTAssertTrue(message.hasSuffix("does not match the architecture: missing norm.bias [16]"), message)
        message = attempt { $0.tensors["head.extra"] = Tensor(zeros: [1]); $0.tensors["module.head.bias"] = Tensor(zeros: [1]) }
        XCTAssertTrue(message.hasSuffix("does not match the architecture: unexpected head.extra, module.head.bias"), message)
        message = attempt { state in
            state.tensors = state.tensors.filter { !$0.key.hasPrefix("blocks.0.mlp") }
        }
        XCTAssertTrue(message.contains("missing blocks.0.mlp.fc1.weight [32, 16], blocks.0.mlp.fc1.bias [32], "
                                       + "blocks.0.mlp.fc2.weight [16, 32], blocks.0.mlp.fc2.bias [16]"), message)
        // The wrong architecture for the file: depth 2 where it has 1 block.
        try stateDict(model).write(to: source)
        message = failure(naming: source) { _ = try importFile(source, Self.classTokenFlags + ["--depth", "2"]) }
        XCTAssertTrue(message.contains("missing blocks.1.norm1.weight [16]"), message)

        try Data(stateDict(model).encoded().dropLast(10)).write(to: URL(fileURLWithPath: source))
        message = failure(naming: source) { _ = try importFile(source, Self.classTokenFlags) }
        XCTAssertTrue(message.contains("not a valid safetensors file") && message.contains("(truncated?)"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/imported.h5"), "no output from a refused import")
    }

    func testTheInputIsNeverOverwritten() throws {
        let (_, model) = try savedModel(Self.classTokenFlags)
        let source = folder + "/model.safetensors"
        try stateDict(model).write(to: source)
        let message = failure(naming: source) { _ = try importFile(source, Self.classTokenFlags, out: "model.safetensors") }
        XCTAssertTrue(message.contains("refusing to overwrite the input"), message)
        XCTAssertEqual(try SafeTensors.read(from: source), stateDict(model))
    }

    func testConfigFilesInTimmsKeysAndTheirRefusals() throws {
        let hub = #"{"architecture": "vit_tiny", "num_features": 16, "model_args": {"embed_dim": 16, "depth": 1, "#
            + #""num_heads": 2, "patch_size": 8, "mlp_ratio": 2.0, "global_pool": "avg", "class_token": false}, "#
            + #""pretrained_cfg": {"mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25], "input_size": [3, 32, 32]}}"#
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(hub.utf8)) as? [String: Any])
        let config = try ArchitectureFile.config(object: object, base: .teacher, file: "c.json")
        XCTAssertEqual([config.dim, config.depth, config.heads, config.patchSize, config.mlpDim], [16, 1, 2, 8, 32])
        XCTAssertEqual(config.pool, .mean)
        XCTAssertEqual(config.mean, [0.5, 0.5, 0.5])
        XCTAssertEqual(config.std, [0.25, 0.25, 0.25])

        for (json, expected) in [(#"{"embed_dim": 16, "dim": 16}"#, "c.json: give dim or timm's embed_dim, not both"),
                                 (#"{"embed_dim": 16, "qkv_norm": true, "reg_tokens": 4}"#,
                                  "c.json: unknown keys qkv_norm, reg_tokens (see vit-import --help)"),
                                 (#"{"global_pool": "map"}"#, "c.json: global_pool 'map' has no vitc counterpart (token or avg)"),
                                 (#"{"global_pool": "avg", "class_token": true}"#, "c.json: class_token true contradicts pooling mean"),
                                 (#"{"fc_norm": true}"#, "c.json: fc_norm true"),
                                 (#"{"depth": "six"}"#, "c.json: depth must be an integer, got six"),
                                 (#"{"pool": "max"}"#, "c.json: unknown pool 'max' (expected cls, mean, seq)")] {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            XCTAssertThrowsError(try ArchitectureFile.config(object: object, base: .teacher, file: "c.json"), json) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }

    func testNormalisationFlagsAreRecordedAndCIFARShapesRequired() throws {
        let (_, model) = try savedModel(Self.classTokenFlags)
        let source = folder + "/model.safetensors"
        try stateDict(model).write(to: source)
        let out = try importFile(source, Self.classTokenFlags + ["--mean", "0.485,0.456,0.406", "--std", "0.229, 0.224, 0.225"])
        let config = try Checkpoint.load(from: out).modelConfig(file: out)
        XCTAssertEqual(config.mean, [0.485, 0.456, 0.406])
        XCTAssertEqual(config.std, [0.229, 0.224, 0.225])
        let json = folder + "/big.json"
        try #"{"img_size": 224}"#.write(toFile: json, atomically: true, encoding: .utf8)
        let message = failure(naming: "image size 224") { _ = try importFile(source, Self.classTokenFlags + ["--config", json]) }
        XCTAssertTrue(message.contains("vitc's stages need 32, 3 and 10 (CIFAR-10)"), message)
        XCTAssertThrowsError(try importFile(source, Self.classTokenFlags + ["--mean", "0.5,x,0.5"], out: "x.h5"))
    }

    // MARK: every stage takes an imported file

    func testEvalPruneQuantizeAndReportAcceptAnImportedCheckpoint() throws {
        let data = try makeMiniatureCIFAR()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (_, model) = try savedModel(Self.classTokenFlags)
        let source = folder + "/model.safetensors"
        try stateDict(model).write(to: source)
        let imported = try importFile(source, Self.classTokenFlags)

        try EvalCommand.parse([imported, "--data", data]).run()
        let pruned = folder + "/pruned.h5", int8 = folder + "/int8.h5"
        try PruneCommand.parse([imported, "--data", data, "--sparsity", "0.5", "--out", pruned]).run()
        let prunedFile = try Checkpoint.load(from: pruned)
        XCTAssertEqual(prunedFile.attributes["stage"], .string("pruned"))
        XCTAssertEqual(prunedFile.attributes["parent"], .string("imported.h5"))
        XCTAssertNotNil(try ConfigJSON.decodeSection(Checkpoint.ImportSource.self, key: "import",
                                                     from: prunedFile.string("config", file: pruned), file: pruned),
                        "the pruned file keeps its parent's import record")
        try QuantizeCommand.parse([imported, "--out", int8, "--data", data, "--calibration-images", "64"]).run()
        let int8File = try Checkpoint.load(from: int8)
        XCTAssertEqual(int8File.attributes["stage"], .string("int8"))
        XCTAssertNotNil(try ConfigJSON.decodeSection(Checkpoint.ImportSource.self, key: "import",
                                                     from: int8File.string("config", file: int8), file: int8))
        try QuantizeCommand.parse([pruned, "--out", folder + "/pruned-int8.h5", "--data", data, "--mode", "dynamic"]).run()

        let table = folder + "/table.md"
        var report = try ReportCommand.parseAsRoot(["table", imported, pruned, int8, "--title", "Imported", "--out", table])
        try report.run()
        let text = try String(contentsOfFile: table, encoding: .utf8)
        XCTAssertTrue(text.contains("imported from model.safetensors"), text)
    }
}
