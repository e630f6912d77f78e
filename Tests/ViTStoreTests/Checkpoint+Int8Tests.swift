import XCTest
import ViTCore
@testable import ViTStore

final class CheckpointInt8Tests: XCTestCase {
    private let directory = try! TemporaryDirectory()

    /// The student's family at a size that quantizes and saves instantly.
    private func tinyConfig() -> ModelConfig {
        var config = ModelConfig.student
        config.dim = 16
        config.depth = 1
        config.heads = 2
        config.mlpDim = 24
        config.patchSize = 8
        return config
    }

    private func quantizedModel(_ mode: QuantizationSettings.Mode, patchEmbedding: Bool = false) throws -> VisionTransformer {
        let config = tinyConfig()
        let model = try VisionTransformer(config: config, seed: 5)
        var settings = QuantizationSettings()
        settings.mode = mode
        settings.patchEmbedding = patchEmbedding
        let batch = Tensor(shape: [4, 3, 32, 32], data: randomFloats(4 * 3 * 32 * 32, seed: 6))
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 1) { _ in batch }
        return model
    }

    private func save(_ model: VisionTransformer, _ edit: (inout Checkpoint) -> Void = { _ in }) throws -> String {
        var file = Checkpoint(model: model, record: ModelRecord(stage: .int8, model: model.config, seed: 0), command: ["vit-quantize"])
        file.storeQuantizedWeights(of: model)
        edit(&file)
        let path = directory.path("int8-\(UUID().uuidString).h5")
        try file.save(to: path)
        return path
    }

    func testStaticInt8ModelRoundTripsWithItsScalesAndZeroPoints() throws {
        let model = try quantizedModel(.static, patchEmbedding: true)
        let path = try save(model)
        let file = try Checkpoint.load(from: path)
        XCTAssertEqual(file.weights["blocks.0.attn.qkv.weight"]?.elementType, .int8)
        XCTAssertEqual(file.weights["patch_embed.proj.weight"]?.shape, [16, 3, 8, 8])
        XCTAssertEqual(file.weights["blocks.0.attn.qkv.weight_scale"]?.shape, [48])
        XCTAssertEqual(file.weights["blocks.0.attn.qkv.input_scale"]?.shape, [])
        XCTAssertEqual(file.weights["blocks.0.attn.qkv.input_zero_point"]?.elementType, .int32)
        XCTAssertEqual(file.weights["blocks.0.attn.qkv.bias"]?.elementType, .float32)
        let loaded = try file.makeModel(file: path)
        for parameter in model.parameters {
            let twin = try XCTUnwrap(loaded.byName[parameter.name])
            XCTAssertEqual(twin.value, parameter.value, parameter.name)
            XCTAssertEqual(twin.quantized?.weights.values, parameter.quantized?.weights.values, parameter.name)
            XCTAssertEqual(twin.quantized?.weightScales, parameter.quantized?.weightScales, parameter.name)
            XCTAssertEqual(twin.quantized?.input, parameter.quantized?.input, parameter.name)
        }
        let images = Tensor(shape: [2, 3, 32, 32], data: randomFloats(2 * 3 * 32 * 32, seed: 7))
        XCTAssertEqual(loaded.forward(images).logits, model.forward(images).logits)
    }

    func testInt8BatchNormModelRoundTripsWithItsFoldedNorms() throws {
        var config = tinyConfig()
        config.pool = .mean
        config.norm = .batch
        let model = try VisionTransformer(config: config, seed: 5)
        for buffer in model.buffers where buffer.name.hasSuffix("running_mean") { buffer.value.data = buffer.value.data.map { _ in 0.2 } }
        let batch = Tensor(shape: [4, 3, 32, 32], data: randomFloats(4 * 3 * 32 * 32, seed: 6))
        try PostTrainingQuantization.quantize(model, settings: QuantizationSettings(), batchCount: 1) { _ in batch }
        XCTAssertEqual(model.buffers.first { $0.name == "blocks.0.norm1.running_mean" }!.value.data, [Float](repeating: 0, count: 16))
        XCTAssertEqual(model.buffers.first { $0.name == "norm.running_mean" }!.value.data, [Float](repeating: 0.2, count: 16))
        let path = try save(model)
        let loaded = try Checkpoint.load(from: path).makeModel(file: path)
        XCTAssertEqual(loaded.buffers.map(\.value), model.buffers.map(\.value))
        let images = Tensor(shape: [2, 3, 32, 32], data: randomFloats(2 * 3 * 32 * 32, seed: 7))
        XCTAssertEqual(loaded.forward(images).logits, model.forward(images).logits)
    }

    func testDynamicFileHasNoInputQuantization() throws {
        let path = try save(try quantizedModel(.dynamic))
        let file = try Checkpoint.load(from: path)
        XCTAssertFalse(file.weights.keys.contains { $0.hasSuffix("input_scale") || $0.hasSuffix("input_zero_point") })
        let loaded = try file.makeModel(file: path)
        XCTAssertNotNil(loaded.byName["head.weight"]?.quantized)
        XCTAssertNil(loaded.byName["head.weight"]?.quantized?.input)
        XCTAssertNil(loaded.byName["patch_embed.proj.weight"]?.quantized)
    }

    func testBrokenQuantizationDatasetsAreNamed() throws {
        let model = try quantizedModel(.static)
        let cases: [((inout Checkpoint) -> Void, String)] = [
            ({ $0.weights["blocks.0.mlp.fc1.weight_scale"] = nil }, "missing dataset /weights/blocks/0/mlp/fc1/weight_scale"),
            ({ $0.weights["blocks.0.mlp.fc1.weight_scale"] = StoredArray(floats: [1, 2]) },
             "/weights/blocks/0/mlp/fc1/weight_scale has shape [2], expected [24]"),
            ({ $0.weights["blocks.0.mlp.fc1.input_zero_point"] = nil }, "missing dataset /weights/blocks/0/mlp/fc1/input_zero_point"),
            ({ $0.weights["blocks.0.mlp.fc1.input_zero_point"] = StoredArray(shape: [], values: .int32([300])) },
             "cannot use /weights/blocks/0/mlp/fc1/input_zero_point (expected an int32 scalar in 0...255)"),
            ({ $0.weights["blocks.0.norm1.weight_scale"] = StoredArray(floats: [1]) },
             "unexpected dataset /weights/blocks/0/norm1/weight_scale (its weight is not int8)"),
            ({ $0.weights["norm.weight"] = StoredArray(shape: [16], values: .int8([Int8](repeating: 1, count: 16))) },
             "/weights/norm/weight holds int8, read as float32"),
        ]
        for (edit, message) in cases {
            let path = try save(model, edit)
            XCTAssertThrowsError(try Checkpoint.load(from: path).makeModel(file: path)) { error in
                XCTAssertEqual("\(error)", "\(path): \(message)")
            }
        }
    }

    func testH5pySeesInt8Weights() throws {
        guard let probe = try runProgram("/usr/bin/env", ["python3", "-c", "import h5py"]), probe.status == 0 else {
            throw XCTSkip("python3 with h5py is not available")
        }
        let path = try save(try quantizedModel(.static))
        let script = """
            import h5py
            f = h5py.File('\(path)', 'r')
            q = f['weights/blocks/0/attn/qkv']
            print(q['weight'].dtype, q['weight'].shape, q['weight_scale'].dtype, q['input_scale'].shape, q['input_zero_point'].dtype)
            """
        let result = try XCTUnwrap(try runProgram("/usr/bin/env", ["python3", "-c", script]))
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "int8 (48, 16) float32 () int32\n")
    }
}
