import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

final class QuantizeCommandTests: XCTestCase {
    private var data = ""

    override func setUpWithError() throws {
        data = try makeMiniatureCIFAR()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: data)
    }

    private func trainedModel() throws -> String {
        let out = temporaryPath("float.h5")
        try TrainCommand.parse(tinyModelFlags + ["--data", data, "--out", out, "--epochs", "1", "--batch-size", "32"]).run()
        return out
    }

    /// A float checkpoint of a random model (dim 128, depth 4 is the student preset's shape).
    private func savedFloatModel(dim: Int = 16, depth: Int = 1, prune: Bool = false) throws -> String {
        var config = ModelConfig.student
        config.dim = dim
        config.depth = depth
        config.heads = 2
        config.mlpDim = 2 * dim
        let model = try VisionTransformer(config: config, seed: 9)
        if prune {
            for name in PostTrainingQuantization.layerWeightNames(config, patchEmbedding: true) {
                let parameter = model.byName[name]!
                let mask = Tensor(shape: parameter.shape, data: (0..<parameter.count).map { Float(($0 * 7) % 3 == 0 ? 1 : 0) })
                parameter.mask = mask
                for i in 0..<parameter.count { parameter.value.data[i] *= mask.data[i] }
            }
        }
        let path = temporaryPath(prune ? "pruned.h5" : "float.h5")
        try Checkpoint(model: model, record: ModelRecord(stage: prune ? .pruned : .student, model: config, seed: 9),
                       command: ["test"]).save(to: path)
        return path
    }

    private func quantize(_ input: String, _ flags: [String]) throws -> String {
        let out = temporaryPath("int8.h5")
        try QuantizeCommand.parse([input, "--out", out, "--data", data] + flags).run()
        return out
    }

    private func size(_ path: String) throws -> Int {
        try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber).intValue
    }

    func testStaticAndDynamicFilesRecordTheirParentAndEvaluate() throws {
        let parent = try trainedModel()
        for flags in [["--calibration-images", "64"], ["--calibration", "percentile", "--calibration-images", "64", "--quantize-patch-embedding"],
                      ["--mode", "dynamic"]] {
            let out = try quantize(parent, flags)
            let file = try Checkpoint.load(from: out)
            XCTAssertEqual(try file.string("stage", file: out), "int8")
            XCTAssertEqual(try file.string("parent", file: out), URL(fileURLWithPath: parent).lastPathComponent)
            XCTAssertEqual(try file.string("parent_sha256", file: out), try Checkpoint.sha256(ofFile: parent))
            let settings = try XCTUnwrap(try ConfigJSON.decodeSection(QuantizationSettings.self, key: "quantization",
                                                                      from: try file.string("config", file: out), file: out))
            XCTAssertEqual(settings.mode, flags.contains("dynamic") ? .dynamic : .static)
            XCTAssertEqual(try file.string("quantization", file: out).contains("\"mode\":\"\(settings.mode.rawValue)\""), true)
            XCTAssertNotNil(try ConfigJSON.decodeSection(TrainingConfig.self, key: "training",
                                                         from: try file.string("config", file: out), file: out))
            let hdf5 = try HDF5File.openReadOnly(out)
            XCTAssertEqual(try hdf5.elementType(of: "/weights/blocks/0/mlp/fc1/weight"), .int8)
            XCTAssertEqual(try hdf5.elementType(of: "/weights/head/weight"), .int8)
            XCTAssertEqual(try hdf5.elementType(of: "/weights/patch_embed/proj/weight"),
                           flags.contains("--quantize-patch-embedding") ? .int8 : .float32)
            XCTAssertEqual(try hdf5.exists("/weights/head/input_scale"), settings.mode == .static)
            try hdf5.close()
            XCTAssertTrue(try LoadedModel(path: out).model.isQuantized)
            XCTAssertNoThrow(try EvalCommand.parse([out, "--data", data, "--json"]).run())
        }
    }

    func testTheInt8FileIsWellBelowTheFloatFile() throws {
        // At the student's size the float parameters (pos_embed, norms, biases) and HDF5's per-dataset
        // overhead keep the ratio near 30%; the teacher's file comes to about 27%.
        let parent = try savedFloatModel(dim: 128, depth: 4)
        let out = try quantize(parent, ["--mode", "dynamic"])
        let ratio = Double(try size(out)) / Double(try size(parent))
        print("int8 file: \(try size(out)) bytes, \(String(format: "%.1f", 100 * ratio))% of the float file")
        XCTAssertLessThan(ratio, 1.0 / 3)
    }

    func testAPrunedModelStaysSparseAndCompressed() throws {
        let parent = try savedFloatModel(dim: 192, depth: 2, prune: true)
        let out = try quantize(parent, ["--calibration-images", "32", "--quantize-patch-embedding"])
        let float = try LoadedModel(path: parent).model, int8 = try LoadedModel(path: out)
        for name in PostTrainingQuantization.layerWeightNames(float.config, patchEmbedding: true) {
            let values = try XCTUnwrap(int8.checkpoint.weights[name]?.int8s, name)
            let mask = try XCTUnwrap(float.byName[name]?.mask, name)
            XCTAssertTrue(zip(values, mask.data).allSatisfy { $0.1 != 0 || $0.0 == 0 }, "\(name): a pruned weight is not zero")
        }
        // Small weights may round to zero too; none comes back from zero.
        XCTAssertLessThanOrEqual(int8.model.nonzeroParameterCount, float.nonzeroParameterCount)
        let dense = try quantize(try savedFloatModel(dim: 192, depth: 2), ["--calibration-images", "32", "--quantize-patch-embedding"])
        for (path, compressed) in [(out, true), (dense, false)] {
            let hdf5 = try HDF5File.openReadOnly(path)
            XCTAssertEqual(try hdf5.isCompressed("/weights/blocks/0/mlp/fc1/weight"), compressed, path)
            try hdf5.close()
        }
        XCTAssertLessThan(try size(out), try size(dense))
    }

    func testBadInputGetsAOneLineErrorAndWritesNoFile() throws {
        let parent = try savedFloatModel()
        let int8 = try quantize(parent, ["--mode", "dynamic"])
        let cases: [([String], String)] = [
            ([int8], "\(int8) is already int8: quantize its float parent instead"),
            ([parent, "--calibration-images", "0"], "--calibration-images must be at least 1, got 0"),
            ([parent, "--calibration-images", "201"], "--calibration-images 201 exceeds the 200 training images"),
            ([parent, "--calibration", "percentile", "--percentile", "50"], "--percentile must be in (50, 100], got 50.0"),
            ([parent, "--percentile", "101"], "--percentile must be in (50, 100], got 101.0"),
        ]
        for (arguments, message) in cases {
            let out = temporaryPath("never.h5")
            XCTAssertThrowsError(try QuantizeCommand.parse(arguments + ["--out", out, "--data", data]).run()) { error in
                XCTAssertEqual("\(error)", message)
                XCTAssertEqual(QuantizeCommand.message(for: error), message)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(arguments)")
        }
    }

    func testBenchTimesAnInt8CheckpointAndRefusesInt8Training() throws {
        let int8 = try quantize(try savedFloatModel(), ["--calibration-images", "16"])
        XCTAssertNoThrow(try BenchCommand.parse(["--checkpoint", int8, "--mode", "infer", "--precision", "all",
                                                 "--seconds", "0.01", "--repeats", "1", "--json"]).run())
        XCTAssertThrowsError(try BenchCommand.parse(["--checkpoint", int8, "--mode", "train", "--precision", "int8"]))
    }
}
