import Foundation
import XCTest
import ViTCore
@testable import ViTStore

/// vitc's logits against Tests/Reference/vit_numpy.py, a forward pass written from timm's
/// VisionTransformer in numpy that reads the checkpoint by its documented layout alone.
final class ReferenceForwardTests: XCTestCase {
    private func referenceScript() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Reference/vit_numpy.py").path
    }

    private func compare(_ config: ModelConfig, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let probe = try runProgram("/usr/bin/env", ["python3", "-c", "import h5py, numpy"]), probe.status == 0 else {
            throw XCTSkip("python3 with h5py and numpy is not installed: the independent reference cannot run")
        }
        // Non-trivial weights (timm's init leaves norms at 1 and biases at 0, which hides layout bugs).
        var generator = SeededGenerator(seed: 5)
        var values = ParameterLayout.initialValues(config, generator: &generator)
        for name in values.keys.sorted() {  // in name order: a dictionary's order changes from run to run
            let value = values[name]!
            values[name] = Tensor(shape: value.shape, data: value.data.map { _ in generator.nextNormal() * 0.3 })
            if name.hasSuffix(".running_var") { values[name]!.data = values[name]!.data.map { 0.5 + abs($0) } }
        }
        let model = try VisionTransformer(config: config, values: values)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-ref-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Checkpoint(model: model, record: ModelRecord(stage: .teacher, model: config, seed: 5), command: [])
            .save(to: folder + "/model.h5")
        let shape = [3, config.channels, config.imageSize, config.imageSize]
        let images = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
        let inputs = try HDF5File.create(folder + "/inputs.h5")
        try inputs.write(images.data, shape: shape, at: "/images")
        try inputs.close()

        guard let result = try runProgram("/usr/bin/env", ["python3", referenceScript(), folder + "/model.h5",
                                                            folder + "/inputs.h5"]), result.status == 0 else {
            return XCTFail("the reference script failed", file: file, line: line)
        }
        let reference = try JSONDecoder().decode([[Double]].self, from: Data(result.output.utf8)).flatMap { $0 }
        let ours = model.forward(images).logits.data
        let worst = zip(ours, reference).map { abs(Double($0) - $1) }.max() ?? .infinity
        print("\(worst < 1e-3 ? "OK" : "NOT OK") logits against the numpy reference: largest difference \(worst)")
        XCTAssertEqual(ours.count, reference.count, file: file, line: line)
        XCTAssertLessThan(worst, 1e-3, file: file, line: line)
    }

    private func smallConfig() -> ModelConfig {
        var config = ModelConfig.student
        config.imageSize = 16
        config.dim = 12
        config.depth = 2
        config.heads = 3
        config.mlpDim = 20
        return config
    }

    func testClassTokenModelMatchesTheReference() throws {
        try compare(smallConfig())
    }

    func testMeanPooledModelMatchesTheReference() throws {
        var config = smallConfig()
        config.pool = .mean
        config.patchSize = 8
        try compare(config)
    }

    func testDistillationTokenModelMatchesTheReference() throws {
        var config = smallConfig()
        config.distillationToken = true
        try compare(config)
    }

    func testDistillationTokenWithSequencePoolingMatchesTheReference() throws {
        // No class token: the distillation token is token 0, and head_dist reads it there.
        var config = convSequenceConfig()
        config.distillationToken = true
        try compare(config)
    }

    /// The CCT shape: conv tokenizer, sequence pooling.
    private func convSequenceConfig() -> ModelConfig {
        var config = smallConfig()
        config.tokenizer = .conv
        config.convLayers = 2
        config.convChannels = 5
        config.pool = .seq
        return config
    }

    func testModelWithPrunedHeadsMatchesTheReference() throws {
        var config = smallConfig()
        config.blockHeads = [1, 2]
        config.blockMlpDims = [7, 20]
        try compare(config)
    }

    func testBatchNormModelMatchesTheReferenceWithItsRunningStatistics() throws {
        var config = smallConfig()
        config.norm = .batch
        config.pool = .mean
        try compare(config)
    }

    func testConvTokenizerModelWithSequencePoolingMatchesTheReference() throws {
        var config = convSequenceConfig()
        config.dropPath = 0.1  // training only: no effect on the logits
        try compare(config)
    }
}
