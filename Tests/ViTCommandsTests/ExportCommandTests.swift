import Foundation
import XCTest
@testable import ViTCommands
@testable import ViTStages
import ViTCore
import ViTStore

/// vit-export against ONNX Runtime: each architecture vitc saves is exported, checked with
/// onnx.checker (full_check) and run by onnxruntime on images written here; its logits are
/// compared with vitc's own forward of the same checkpoint. Skips without onnx and onnxruntime.
final class ExportCommandTests: XCTestCase {
    // MARK: Python side

    /// Checks the model, runs it on the raw float32 images, prints {"logits", "ops", "metadata", "input", "output"}.
    /// "ops" are the op types of the graph onnxruntime runs after its optimisations (QDQ fusions).
    private static let runScript = """
        import json, sys, numpy as np, onnx, onnxruntime as ort
        path, images_path, count, optimized = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        onnx.checker.check_model(path, full_check=True)
        model = onnx.load(path)
        dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.optimized_model_filepath = optimized
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        images = np.fromfile(images_path, dtype="<f4").reshape(count, 3, 32, 32)
        logits = session.run(["logits"], {"images": images})[0]
        ops = sorted({node.op_type for node in onnx.load(optimized).graph.node})
        print(json.dumps({"logits": logits.astype(np.float64).ravel().tolist(), "ops": ops,
                          "metadata": {p.key: p.value for p in model.metadata_props},
                          "opset": model.opset_import[0].version, "ir": model.ir_version,
                          "input": [model.graph.input[0].name] + dims(model.graph.input[0]),
                          "output": [model.graph.output[0].name] + dims(model.graph.output[0])}))
        """

    private struct RuntimeResult: Decodable {
        var logits: [Double]
        var ops: [String]
        var metadata: [String: String]
        var opset: Int
        var ir: Int
        var input: [StringOrInt]
        var output: [StringOrInt]
    }

    private enum StringOrInt: Decodable, Equatable {
        case string(String), int(Int)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) { self = .int(value) } else { self = .string(try container.decode(String.self)) }
        }
    }

    /// python3 with `arguments`: its exit status, standard output and standard error.
    private func python(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaints = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self), String(decoding: complaints, as: UTF8.self))
    }

    private func requireRuntime() throws {
        guard try python(["-c", "import onnx, onnxruntime, numpy"]).status == 0 else {
            throw XCTSkip("python3 cannot import onnx, onnxruntime and numpy (pip install onnx onnxruntime): "
                          + "the exported models cannot be checked or run")
        }
    }

    private func runWithONNXRuntime(_ model: String, images: Tensor, folder: String) throws -> RuntimeResult {
        let imagesPath = folder + "/images.f32"
        let bytes = images.data.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        try Data(bytes).write(to: URL(fileURLWithPath: imagesPath))
        let result = try python(["-c", Self.runScript, model, imagesPath, "\(images.shape[0])", folder + "/optimized.onnx"])
        guard result.status == 0 else {
            throw ConfigError(message: "the onnx/onnxruntime script failed on \(model): \(result.errors.suffix(2000))")
        }
        return try JSONDecoder().decode(RuntimeResult.self, from: Data(result.output.utf8))
    }

    // MARK: Fixtures

    private func tinyConfig(_ configure: (inout ModelConfig) -> Void = { _ in }) -> ModelConfig {
        var config = ModelConfig.student
        config.dim = 16
        config.depth = 2
        config.heads = 2
        config.mlpDim = 24
        config.patchSize = 8
        config.mean = [0.5, 0.4, 0.3]
        config.std = [0.2, 0.25, 0.3]
        configure(&config)
        return config
    }

    /// A model with non-trivial values (timm's init leaves norms at 1 and biases at 0, which hides layout bugs).
    private func randomModel(_ config: ModelConfig, seed: UInt64 = 7) throws -> VisionTransformer {
        var generator = SeededGenerator(seed: seed)
        var values = ParameterLayout.initialValues(config, generator: &generator)
        for name in values.keys.sorted() {  // in name order: a dictionary's order changes from run to run
            let value = values[name]!
            values[name] = Tensor(shape: value.shape, data: value.data.map { _ in generator.nextNormal() * 0.3 })
            if name.hasSuffix(".running_var") { values[name]!.data = values[name]!.data.map { 0.5 + abs($0) } }
        }
        return try VisionTransformer(config: config, values: values)
    }

    private func randomImages(_ count: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: [count, 3, 32, 32], data: (0..<count * 3 * 32 * 32).map { _ in generator.nextNormal() })
    }

    private func makeFolder() throws -> String {
        let folder = temporaryPath("export")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Saves `model` as a checkpoint of `stage`, exports it with vit-export, runs both on `images`.
    private func exportAndRun(_ model: VisionTransformer, stage: Stage, images: Tensor, folder: String)
        throws -> (ours: [Float], runtime: RuntimeResult, checkpoint: String) {
        let checkpoint = folder + "/model.h5", onnx = folder + "/model.onnx"
        var file = Checkpoint(model: model, record: ModelRecord(stage: stage, model: model.config, seed: 7), command: ["test"])
        if stage == .int8 { file.storeQuantizedWeights(of: model) }
        try file.save(to: checkpoint)
        try ExportCommand.parse([checkpoint, "--out", onnx]).run()
        let loaded = try LoadedModel(path: checkpoint)  // as vit-eval runs the file
        XCTAssertEqual(loaded.model.isQuantized, stage == .int8)
        let ours = loaded.model.forward(images).logits.data
        return (ours, try runWithONNXRuntime(onnx, images: images, folder: folder), checkpoint)
    }

    private func assertFloatExportMatches(_ config: ModelConfig, name: String, edit: (VisionTransformer) -> Void = { _ in },
                                          line: UInt = #line) throws {
        try requireRuntime()
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = try randomModel(config)
        edit(model)
        let images = randomImages(24, seed: 3)
        let (ours, runtime, _) = try exportAndRun(model, stage: .teacher, images: images, folder: folder)
        XCTAssertEqual(ours.count, runtime.logits.count, line: line)
        let worst = zip(ours, runtime.logits).map { abs(Double($0) - $1) }.max() ?? .infinity
        print("\(worst < 1e-4 ? "OK" : "NOT OK") \(name): onnxruntime against vitc, largest logit difference \(worst)")
        XCTAssertLessThan(worst, 1e-4, line: line)
    }

    /// Quantizes a random model (static: calibrated on images like the test's), exports and compares top-1.
    private func assertInt8ExportAgrees(_ config: ModelConfig, name: String, mode: QuantizationSettings.Mode,
                                        patchEmbedding: Bool = false, line: UInt = #line) throws {
        try requireRuntime()
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = try randomModel(config)
        var settings = QuantizationSettings()
        settings.mode = mode
        settings.patchEmbedding = patchEmbedding
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 4) { i in
            self.randomImages(64, seed: 100 + UInt64(i))
        }
        let images = randomImages(1000, seed: 4)
        let (ours, runtime, _) = try exportAndRun(model, stage: .int8, images: images, folder: folder)
        let classes = config.numClasses
        XCTAssertEqual(ours.count, runtime.logits.count, line: line)
        func top1(_ logits: [Double], _ i: Int) -> Int {
            (0..<classes).max { logits[i * classes + $0] < logits[i * classes + $1] }!
        }
        let oursDouble = ours.map(Double.init)
        let agreeing = (0..<images.shape[0]).filter { top1(oursDouble, $0) == top1(runtime.logits, $0) }.count
        let rate = Double(agreeing) / Double(images.shape[0])
        let worst = zip(oursDouble, runtime.logits).map { abs($0 - $1) }.max() ?? .infinity
        let integerOps = runtime.ops.filter { ["MatMulIntegerToFloat", "QLinearMatMul", "MatMulInteger", "QLinearConv",
                                               "DynamicQuantizeMatMul", "QGemm", "ConvInteger"].contains($0) }
        // Without VNNI vitc runs 7-bit copies of the weights (QuantizedLinearWeights) while ONNX
        // Runtime runs the file's 8-bit ones with its own u8·s8 kernels: on these random models' close
        // logits that flips some top-1 (on an AVX2-only EPYC: 93.0% for the conv + BatchNorm model,
        // 99.2-100% for the others; trained models agree: the 30-epoch student's int8 file gave
        // 56.43% in vitc and 56.60% in ONNX Runtime there).
        let required = CPUCapabilities.current.vnni ? 0.995 : 0.9
        print("\(rate >= required ? "OK" : "NOT OK") \(name): top-1 agreement \(agreeing)/\(images.shape[0]) "
              + "(largest logit difference \(worst)); onnxruntime's int8 kernels: \(integerOps)")
        XCTAssertGreaterThanOrEqual(rate, required, line: line)
        XCTAssertFalse(integerOps.isEmpty, "onnxruntime ran no int8 kernel: \(runtime.ops)", line: line)
    }

    // MARK: Float architectures

    func testPatchTokenizerWithClassTokenMatchesOnnxRuntime() throws {
        try assertFloatExportMatches(tinyConfig(), name: "patch, cls, LayerNorm")
    }

    func testMeanPoolingWithBatchNormMatchesOnnxRuntime() throws {
        try assertFloatExportMatches(tinyConfig { $0.pool = .mean; $0.norm = .batch; $0.patchSize = 4 },
                                     name: "patch 4, mean, BatchNorm")
    }

    func testDistillationTokenAveragesBothHeadsInOnnxRuntime() throws {
        try assertFloatExportMatches(tinyConfig { $0.distillationToken = true }, name: "patch, cls + dist token")
    }

    func testDistillationTokenWithSequencePoolingReadsTokenZeroInOnnxRuntime() throws {
        try assertFloatExportMatches(tinyConfig { $0.distillationToken = true; $0.pool = .seq },
                                     name: "patch, seq pooling + dist token at index 0")
    }

    func testConvTokenizerWithSequencePoolingMatchesOnnxRuntime() throws {
        try assertFloatExportMatches(tinyConfig { $0.tokenizer = .conv; $0.convLayers = 2; $0.convChannels = 6; $0.pool = .seq },
                                     name: "conv tokenizer, seq pooling")
    }

    func testPrunedModelMatchesOnnxRuntime() throws {
        // Structured pruning (fewer heads and MLP units in a block) and unstructured zeros.
        let config = tinyConfig { $0.heads = 4; $0.blockHeads = [2, 4]; $0.blockMlpDims = [9, 24] }
        try assertFloatExportMatches(config, name: "pruned (heads, MLP widths, zeros)") { model in
            for parameter in model.parameters where ParameterLayout.isLinearWeight(parameter.name) {
                for i in stride(from: 0, to: parameter.count, by: 2) { parameter.value.data[i] = 0 }
            }
        }
    }

    // MARK: int8 (QDQ)

    func testStaticInt8ExportAgreesWithVitcOnTopOne() throws {
        try assertInt8ExportAgrees(tinyConfig(), name: "int8 static, patch, cls", mode: .static)
    }

    func testStaticInt8ExportWithQuantizedPatchEmbeddingAgrees() throws {
        try assertInt8ExportAgrees(tinyConfig { $0.distillationToken = true }, name: "int8 static, int8 patch embedding, dist token",
                                   mode: .static, patchEmbedding: true)
    }

    func testStaticInt8ExportOfFoldedBatchNormConvModelAgrees() throws {
        try assertInt8ExportAgrees(tinyConfig { $0.tokenizer = .conv; $0.convChannels = 6; $0.pool = .seq; $0.norm = .batch },
                                   name: "int8 static, conv tokenizer, seq, BatchNorm folded", mode: .static)
    }

    func testDynamicInt8ExportAgreesWithVitcOnTopOne() throws {
        try assertInt8ExportAgrees(tinyConfig { $0.pool = .mean }, name: "int8 dynamic, mean", mode: .dynamic)
    }

    // MARK: The file

    func testRecordsNormalisationStageAndSourceInTheMetadata() throws {
        try requireRuntime()
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = tinyConfig()
        let (_, runtime, checkpoint) = try exportAndRun(try randomModel(config), stage: .student,
                                                        images: randomImages(2, seed: 1), folder: folder)
        XCTAssertEqual(runtime.opset, 17)
        XCTAssertEqual(runtime.ir, 8)
        XCTAssertEqual(runtime.input, [.string("images"), .string("N"), .int(3), .int(32), .int(32)])
        XCTAssertEqual(runtime.output, [.string("logits"), .string("N"), .int(10)])
        XCTAssertEqual(runtime.metadata["vitc_stage"], "student")
        XCTAssertEqual(runtime.metadata["vitc_source"], "model.h5")
        XCTAssertEqual(runtime.metadata["vitc_source_sha256"], try Checkpoint.sha256(ofFile: checkpoint))
        XCTAssertEqual(runtime.metadata["mean"], "[0.5, 0.4, 0.3]")
        XCTAssertEqual(runtime.metadata["std"], "[0.2, 0.25, 0.3]")
        let stored = try ConfigJSON.decodeModel(runtime.metadata["vitc_config"] ?? "", file: "metadata")
        XCTAssertEqual(stored, config)
    }

    func testRefusesToOverwriteItsInput() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = folder + "/model.h5"
        try makeParentCheckpoint(at: checkpoint)
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        XCTAssertThrowsError(try ExportCommand.parse([checkpoint, "--out", checkpoint]).run()) { error in
            XCTAssertTrue("\(error)".contains("refusing to overwrite"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: checkpoint)), before)
    }

    func testWritesTheFileWithoutLeavingATemporaryBeside() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try makeParentCheckpoint(at: folder + "/model.h5")
        try ExportCommand.parse([folder + "/model.h5", "--out", folder + "/out/model.onnx"]).run()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/out"), ["model.onnx"])
        let proto = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: folder + "/out/model.onnx")))
        XCTAssertEqual(proto.graph.output.map(\.name), ["logits"])
        XCTAssertEqual(proto.producerName, "vitc")
    }
}
