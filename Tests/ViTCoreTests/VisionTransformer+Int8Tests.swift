import XCTest
@testable import ViTCore

final class VisionTransformerInt8Tests: XCTestCase {
    func testFloatCopyOfAnInt8ModelRunsFloatOnTheDequantizedWeights() throws {
        var config = ModelConfig()
        config.imageSize = 8
        config.dim = 8
        config.depth = 1
        config.heads = 2
        config.mlpDim = 12
        let model = try VisionTransformer(config: config, seed: 2)
        XCTAssertFalse(model.isQuantized)
        var settings = QuantizationSettings()
        settings.mode = .dynamic
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 0) { _ in Tensor(zeros: [0]) }
        XCTAssertTrue(model.isQuantized)
        let copy = model.floatCopy()
        XCTAssertFalse(copy.isQuantized)
        for parameter in model.parameters { XCTAssertEqual(copy.byName[parameter.name]?.value, parameter.value) }
    }

    func testInt8ConvTokenizerModelRunsTheFloatTokenizerAndPooling() throws {
        var values: [String: Tensor] = [:]
        for (index, (name, shape)) in ParameterLayout.shapes(tinyConvModelConfig()).enumerated() {
            values[name] = randomTensor(shape, seed: UInt64(40 + index), scale: name.contains("norm") ? 1 : 0.3)
        }
        let model = try VisionTransformer(config: tinyConvModelConfig(), values: values)
        let images = randomTensor([4, 3, 8, 8], seed: 3)
        let float = model.forward(images).logits
        let tokenizerWeight = model.byName["tokenizer.conv_layers.0.0.weight"]!.value
        var settings = QuantizationSettings()
        settings.mode = .dynamic
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 0) { _ in Tensor(zeros: [0]) }
        XCTAssertTrue(model.isQuantized)
        for name in ["tokenizer.conv_layers.0.0.weight", "tokenizer.conv_layers.1.0.weight", "attention_pool.weight"] {
            XCTAssertNil(model.byName[name]!.quantized, name)
        }
        XCTAssertEqual(model.byName["tokenizer.conv_layers.0.0.weight"]!.value, tokenizerWeight)
        let int8 = model.forward(images).logits
        let difference = zip(float.data, int8.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
        let scale = float.data.map(abs).max()!
        print("\(difference < 0.1 * scale ? "OK" : "NOT OK") int8 conv-tokenizer model: largest logit difference \(difference) (logits up to \(scale))")
        XCTAssertLessThan(difference, 0.1 * scale)
    }
}
