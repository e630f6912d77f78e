import XCTest
@testable import ViTCore

final class PostTrainingQuantizationTests: XCTestCase {
    private func smallConfig(distillationToken: Bool = false) -> ModelConfig {
        var config = ModelConfig()
        config.imageSize = 16
        config.patchSize = 4
        config.dim = 32
        config.depth = 2
        config.heads = 4
        config.mlpDim = 64
        config.distillationToken = distillationToken
        return config
    }

    /// A random model with larger weights than timm's init, so that its logits differ from image to image.
    private func smallModel(_ config: ModelConfig) throws -> VisionTransformer {
        var generator = SeededGenerator(seed: 1)
        var values = ParameterLayout.initialValues(config, generator: &generator)
        for (name, value) in values where !name.contains("norm") {
            values[name] = randomTensor(value.shape, seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xFFFF), scale: 0.3)
        }
        return try VisionTransformer(config: config, values: values)
    }

    private func images(_ count: Int, seed: UInt64) -> Tensor { randomTensor([count, 3, 16, 16], seed: seed) }

    private func predictions(_ model: VisionTransformer, _ images: Tensor) -> [Int] {
        let logits = model.forward(images).logits, classes = logits.shape[1]
        return (0..<logits.shape[0]).map { row in
            (0..<classes).max { logits.data[row * classes + $0] < logits.data[row * classes + $1] }!
        }
    }

    private func agreement(_ settings: QuantizationSettings, config: ModelConfig) throws -> Double {
        let float = try smallModel(config), quantized = try smallModel(config)
        let calibration = (0..<4).map { images(16, seed: 100 + UInt64($0)) }
        try PostTrainingQuantization.quantize(quantized, settings: settings, batchCount: 4) { calibration[$0] }
        let test = images(300, seed: 7)
        let same = zip(predictions(float, test), predictions(quantized, test)).filter { $0 == $1 }.count
        return Double(same) / 300
    }

    func testQuantizedModelPredictsLikeTheFloatModelOnMostInputs() throws {
        var settings = QuantizationSettings()
        for (mode, calibration, patchEmbedding) in [(QuantizationSettings.Mode.static, QuantizationSettings.Calibration.minmax, false),
                                                    (.static, .percentile, true), (.dynamic, .minmax, false)] {
            settings.mode = mode
            settings.calibration = calibration
            settings.patchEmbedding = patchEmbedding
            let agreed = try agreement(settings, config: smallConfig())
            print("\(agreed >= 0.9 ? "OK" : "NOT OK") \(mode) \(calibration) patch embedding \(patchEmbedding): \(agreed * 100)% same predictions as float")
            XCTAssertGreaterThanOrEqual(agreed, 0.9)
        }
        settings.mode = .static
        let distilled = try agreement(settings, config: smallConfig(distillationToken: true))
        XCTAssertGreaterThanOrEqual(distilled, 0.9, "with a distillation head")
    }

    func testEveryLinearLayerIsQuantizedAndThePatchEmbeddingOnlyWhenAsked() {
        let config = smallConfig(distillationToken: true)
        let names = PostTrainingQuantization.layerWeightNames(config, patchEmbedding: false)
        XCTAssertEqual(names, ["blocks.0.attn.qkv.weight", "blocks.0.attn.proj.weight", "blocks.0.mlp.fc1.weight",
                               "blocks.0.mlp.fc2.weight", "blocks.1.attn.qkv.weight", "blocks.1.attn.proj.weight",
                               "blocks.1.mlp.fc1.weight", "blocks.1.mlp.fc2.weight", "head.weight", "head_dist.weight"])
        XCTAssertEqual(PostTrainingQuantization.layerWeightNames(config, patchEmbedding: true),
                       ["patch_embed.proj.weight"] + names)
    }

    func testConvTokenizerAndSequencePoolingStayFloat() {
        let names = PostTrainingQuantization.layerWeightNames(tinyConvModelConfig(), patchEmbedding: true)
        XCTAssertEqual(names, ["blocks.0.attn.qkv.weight", "blocks.0.attn.proj.weight", "blocks.0.mlp.fc1.weight",
                               "blocks.0.mlp.fc2.weight", "blocks.1.attn.qkv.weight", "blocks.1.attn.proj.weight",
                               "blocks.1.mlp.fc1.weight", "blocks.1.mlp.fc2.weight", "head.weight"])
    }

    func testStaticModeStoresCalibratedInputsDynamicModeNone() throws {
        let model = try smallModel(smallConfig())
        var settings = QuantizationSettings()
        let batch = images(8, seed: 3)
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 1) { _ in batch }
        let qkv = try XCTUnwrap(model.byName["blocks.0.attn.qkv.weight"]?.quantized)
        XCTAssertNotNil(qkv.input)
        XCTAssertEqual(model.byName["blocks.0.attn.qkv.weight"]?.value, qkv.dequantized)
        XCTAssertNil(model.byName["patch_embed.proj.weight"]?.quantized)
        XCTAssertTrue(model.parameters.allSatisfy { $0.inputObserver == nil })

        let dynamic = try smallModel(smallConfig())
        settings.mode = .dynamic
        try PostTrainingQuantization.quantize(dynamic, settings: settings, batchCount: 0) { _ in batch }
        XCTAssertNil(dynamic.byName["head.weight"]?.quantized?.input)
        XCTAssertNotNil(dynamic.byName["head.weight"]?.quantized)
    }

    func testQuantizingTwiceIsRefused() throws {
        let model = try smallModel(smallConfig())
        var settings = QuantizationSettings()
        settings.mode = .dynamic
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 0) { _ in Tensor(zeros: [0]) }
        XCTAssertThrowsError(try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 0) { _ in Tensor(zeros: [0]) }) {
            XCTAssertEqual("\($0)", "blocks.0.attn.qkv.weight is already quantized")
        }
    }
}
