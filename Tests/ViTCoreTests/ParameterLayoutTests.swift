import XCTest
@testable import ViTCore

final class ParameterLayoutTests: XCTestCase {
    func testBatchNormModelsAddRunningStatisticBuffersUnderPyTorchNames() {
        var config = tinyModelConfig(pool: .mean)
        XCTAssertTrue(ParameterLayout.bufferShapes(config).isEmpty)
        config.norm = .batch
        let buffers = ParameterLayout.bufferShapes(config)
        XCTAssertEqual(buffers.count, 2 * (2 * config.depth + 1))
        XCTAssertEqual(buffers.first?.0, "blocks.0.norm1.running_mean")
        XCTAssertEqual(buffers.last?.0, "norm.running_var")
        XCTAssertTrue(buffers.allSatisfy { $0.1 == [8] && ParameterLayout.isBuffer($0.0) && !ParameterLayout.decays($0.0) })
        XCTAssertTrue(Set(ParameterLayout.shapes(config).map(\.0)).isDisjoint(with: buffers.map(\.0)))
        var generator = SeededGenerator(seed: 1)
        let values = ParameterLayout.initialValues(config, generator: &generator)
        XCTAssertEqual(values["blocks.1.norm2.running_mean"], Tensor(zeros: [8]))
        XCTAssertEqual(values["blocks.1.norm2.running_var"], Tensor(repeating: 1, shape: [8]))
        // The buffers draw nothing: the weights are those of the LayerNorm model of the same seed.
        config.norm = .layer
        var layerGenerator = SeededGenerator(seed: 1)
        let layerValues = ParameterLayout.initialValues(config, generator: &layerGenerator)
        XCTAssertEqual(layerValues, values.filter { !ParameterLayout.isBuffer($0.key) })
    }

    func testOnlyMatricesDecay() {
        XCTAssertTrue(ParameterLayout.decays("blocks.0.attn.qkv.weight"))
        XCTAssertTrue(ParameterLayout.decays("patch_embed.proj.weight"))
        XCTAssertTrue(ParameterLayout.decays("head.weight"))
        for name in ["blocks.0.attn.qkv.bias", "blocks.0.norm1.weight", "norm.weight", "pos_embed", "cls_token",
                     "dist_token"] {
            XCTAssertFalse(ParameterLayout.decays(name), name)
        }
    }

    func testInitialisationFollowsTimm() {
        var generator = SeededGenerator(seed: 1)
        let values = ParameterLayout.initialValues(.teacher, generator: &generator)
        XCTAssertEqual(values["blocks.0.norm1.weight"]!.data.allSatisfy { $0 == 1 }, true)
        XCTAssertEqual(values["blocks.0.attn.qkv.bias"]!.data.allSatisfy { $0 == 0 }, true)
        XCTAssertLessThanOrEqual(values["blocks.0.mlp.fc1.weight"]!.data.map(abs).max()!, 0.04)  // truncated at 2 std
        XCTAssertLessThan(values["cls_token"]!.data.map(abs).max()!, 1e-5)
        let bound = 1 / Float(48).squareRoot()  // conv default: uniform(+-1/sqrt(fan_in)), fan_in = 3*4*4
        XCTAssertLessThanOrEqual(values["patch_embed.proj.weight"]!.data.map(abs).max()!, bound)
    }

    func testConvTokenizerAndSequencePoolingUseCCTNamesAndShapes() {
        let shapes = Dictionary(uniqueKeysWithValues: ParameterLayout.shapes(.cctTeacher))
        XCTAssertEqual(shapes["tokenizer.conv_layers.0.0.weight"], [64, 3, 3, 3])
        XCTAssertEqual(shapes["tokenizer.conv_layers.1.0.weight"], [256, 64, 3, 3])
        XCTAssertEqual(shapes["attention_pool.weight"], [1, 256])
        XCTAssertEqual(shapes["attention_pool.bias"], [1])
        XCTAssertEqual(shapes["pos_embed"], [1, 64, 256])
        for name in ["patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token", "tokenizer.conv_layers.0.0.bias"] {
            XCTAssertNil(shapes[name], name)
        }
        var threeLayers = ModelConfig.cctStudent
        threeLayers.convLayers = 3
        XCTAssertEqual(ParameterLayout.convolutionChannels(threeLayers).map { [$0.in, $0.out] }, [[3, 64], [64, 64], [64, 128]])
    }

    func testTokenizerAndPoolingWeightsDecayButStayDense() {
        for name in ["tokenizer.conv_layers.0.0.weight", "attention_pool.weight"] {
            XCTAssertTrue(ParameterLayout.decays(name), name)
            XCTAssertFalse(ParameterLayout.isLinearWeight(name), name)
            XCTAssertTrue(ParameterLayout.staysDense(name), name)
        }
        XCTAssertFalse(ParameterLayout.decays("attention_pool.bias"))
        XCTAssertTrue(ParameterLayout.isLinearWeight("blocks.0.mlp.fc1.weight"))
    }

    func testConvTokenizerInitialisationFollowsCCT() {
        var generator = SeededGenerator(seed: 1)
        let values = ParameterLayout.initialValues(.cctTeacher, generator: &generator)
        func std(_ name: String) -> Double {
            let data = values[name]!.data.map(Double.init)
            let mean = data.reduce(0, +) / Double(data.count)
            return (data.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(data.count)).squareRoot()
        }
        // Kaiming normal, fan_in, ReLU gain: sqrt(2 / (Cin * 9)).
        XCTAssertEqual(std("tokenizer.conv_layers.1.0.weight"), (2.0 / 576).squareRoot(), accuracy: 0.002)
        XCTAssertEqual(std("tokenizer.conv_layers.0.0.weight"), (2.0 / 27).squareRoot(), accuracy: 0.02)
        XCTAssertEqual(std("pos_embed"), 0.2 * 0.88, accuracy: 0.01)  // trunc_normal(0.2) cut at 2 std: 0.88 std
        XCTAssertLessThanOrEqual(values["attention_pool.weight"]!.data.map(abs).max()!, 0.04)
        XCTAssertEqual(values["attention_pool.bias"]!.data, [0])
    }
}
