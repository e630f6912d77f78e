import XCTest
import ViTCore
@testable import ViTStore

final class CheckpointModelTests: XCTestCase {
    private func tinyConfig() -> ModelConfig {
        var config = ModelConfig.student
        config.dim = 8
        config.depth = 1
        config.heads = 2
        config.mlpDim = 8
        config.patchSize = 16
        return config
    }

    private func savedCheckpoint(_ config: ModelConfig? = nil,
                                 _ edit: (inout Checkpoint) -> Void = { _ in }) throws -> (String, VisionTransformer) {
        let model = try VisionTransformer(config: config ?? tinyConfig(), seed: 4)
        var file = Checkpoint(model: model, record: ModelRecord(stage: .teacher, model: model.config, seed: 4),
                              command: ["vit-train", "--seed", "4"])
        edit(&file)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-\(UUID().uuidString).h5").path
        try file.save(to: path)
        return (path, model)
    }

    func testModelRoundTripsThroughTheFileExactly() throws {
        let (path, model) = try savedCheckpoint()
        let loaded = try Checkpoint.load(from: path).makeModel(file: path)
        XCTAssertEqual(loaded.config, model.config)
        for parameter in model.parameters {
            XCTAssertEqual(loaded.byName[parameter.name]?.value, parameter.value, parameter.name)
        }
    }

    func testConvTokenizerModelRoundTripsThroughTheFileExactly() throws {
        var config = tinyConfig()
        config.tokenizer = .conv
        config.convChannels = 4
        config.pool = .seq
        config.dropPath = 0.1
        let (path, model) = try savedCheckpoint(config)
        let loaded = try Checkpoint.load(from: path).makeModel(file: path)
        XCTAssertEqual(loaded.config, model.config)
        XCTAssertNotNil(loaded.byName["tokenizer.conv_layers.1.0.weight"])
        for parameter in model.parameters {
            XCTAssertEqual(loaded.byName[parameter.name]?.value, parameter.value, parameter.name)
        }
    }

    func testBatchNormModelRoundTripsWithItsRunningStatistics() throws {
        var config = tinyConfig()
        config.norm = .batch
        config.pool = .mean
        let model = try VisionTransformer(config: config, seed: 4)
        for (index, buffer) in model.buffers.enumerated() {
            buffer.value.data = buffer.value.data.indices.map { 1 + Float(index) + Float($0) / 8 }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Checkpoint(model: model, record: ModelRecord(stage: .teacher, model: config, seed: 4), command: []).save(to: path)
        let raw = try HDF5File.openReadOnly(path)
        XCTAssertTrue(try raw.exists("/weights/blocks/0/norm1/running_var"))
        try raw.close()
        let file = try Checkpoint.load(from: path)
        let loaded = try file.makeModel(file: path)
        XCTAssertEqual(loaded.config.norm, .batch)
        XCTAssertEqual(loaded.buffers.map(\.name), model.buffers.map(\.name))
        XCTAssertEqual(loaded.buffers.map(\.value), model.buffers.map(\.value))
        let images = Tensor(shape: [2, 3, 32, 32], data: randomFloats(2 * 3 * 32 * 32, seed: 5))
        XCTAssertEqual(loaded.forward(images).logits, model.forward(images).logits)

        var missing = file
        missing.weights["norm.running_mean"] = nil
        XCTAssertThrowsError(try missing.makeModel(file: path)) { error in
            XCTAssertTrue("\(error)".contains("/weights/norm/running_mean"), "\(error)")
        }
    }

    func testMissingWeightIsNamed() throws {
        let (path, _) = try savedCheckpoint { $0.weights["blocks.0.mlp.fc1.weight"] = nil }
        XCTAssertThrowsError(try Checkpoint.load(from: path).makeModel(file: path)) { error in
            XCTAssertEqual("\(error)", "\(path): missing dataset /weights/blocks/0/mlp/fc1/weight")
        }
    }

    func testWronglyShapedWeightIsNamedWithBothShapes() throws {
        let (path, _) = try savedCheckpoint { $0.weights["head.weight"] = StoredArray(Tensor(zeros: [10, 4])) }
        XCTAssertThrowsError(try Checkpoint.load(from: path).makeModel(file: path)) { error in
            XCTAssertEqual("\(error)", "\(path): /weights/head/weight has shape [10, 4], expected [10, 8]")
        }
    }

    func testUnexpectedWeightIsRejected() throws {
        let (path, _) = try savedCheckpoint { $0.weights["blocks.7.norm1.weight"] = StoredArray(Tensor(zeros: [8])) }
        XCTAssertThrowsError(try Checkpoint.load(from: path).makeModel(file: path)) { error in
            XCTAssertTrue("\(error)".contains("/weights/blocks/7/norm1/weight"), "\(error)")
        }
    }

    func testConfigThatIsNotAModelIsRejected() throws {
        let (path, _) = try savedCheckpoint { $0.attributes["config"] = .string("{\"dim\": \"wide\"}") }
        XCTAssertThrowsError(try Checkpoint.load(from: path).makeModel(file: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): cannot read the config attribute"), "\(error)")
        }
    }

    func testOptimizerStateRoundTrips() throws {
        let model = try VisionTransformer(config: tinyConfig(), seed: 1)
        let optimizer = AdamW(weightDecay: 0.05)
        for parameter in model.parameters { parameter.gradient.fill(0.5) }
        optimizer.update(model.parameters, learningRate: 0.01)
        var file = Checkpoint(model: model, record: ModelRecord(stage: .teacher, model: model.config, seed: 1),
                              command: [])
        file.storeOptimizer(optimizer)
        let restored = AdamW(weightDecay: 0.05)
        try file.restoreOptimizer(restored, model: model, file: "memory")
        XCTAssertEqual(restored.step, 1)
        XCTAssertEqual(restored.firstMoments, optimizer.firstMoments)
        XCTAssertEqual(restored.secondMoments, optimizer.secondMoments)
    }
}
