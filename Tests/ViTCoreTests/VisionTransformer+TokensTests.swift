import XCTest
@testable import ViTCore

final class VisionTransformerTokensTests: XCTestCase {
    private func tinyConfig(pool: ModelConfig.Pool = .cls) -> ModelConfig {
        var config = ModelConfig()
        config.imageSize = 8
        config.patchSize = 4
        config.dim = 8
        config.depth = 2
        config.heads = 2
        config.mlpDim = 12
        config.numClasses = 3
        config.pool = pool
        return config
    }

    func testTheHeadOnTheClassTokenGivesTheModelsLogits() throws {
        var config = tinyConfig()
        config.dropout = 0.1
        let model = try VisionTransformer(config: config, seed: 1)
        let images = randomTensor([2, 3, 8, 8], seed: 2)
        let (tokens, _) = model.forwardTokens(images, dropoutSeed: 3)
        XCTAssertEqual(tokens.shape, [2, 5, 8])
        let classTokens = Tensor(shape: [2, 8], data: Array(tokens.data[0..<8]) + Array(tokens.data[40..<48]))
        XCTAssertEqual(model.head.forward(classTokens, precision: .f32),
                       model.forward(images, keepCache: true, dropoutSeed: 3).logits)
    }

    func testEncoderParametersAreAllButTheHeads() throws {
        let model = try VisionTransformer(config: tinyConfig(), seed: 1)
        XCTAssertEqual(model.encoderParameters.count, model.parameters.count - 2)
        XCTAssertFalse(model.encoderParameters.contains { $0.name.hasPrefix("head") })
    }

    private func checkTokenGradients(_ config: ModelConfig, masked: Bool) throws {
        var generator = SeededGenerator(seed: 11)
        var values = ParameterLayout.initialValues(config, generator: &generator)
        for (index, (name, shape)) in ParameterLayout.shapes(config).enumerated() where !name.contains("norm") {
            values[name] = randomTensor(shape, seed: UInt64(100 + index), scale: 0.3)
        }
        let model = try VisionTransformer(config: config, values: values)
        var maskGenerator = SeededGenerator(seed: 5)
        let masking = masked ? PatchMasking.random(token: makeParameter("mask_token", [1, 1, 8], seed: 6), batch: 2,
                                                   patches: 4, ratio: 0.5, generator: &maskGenerator) : nil
        let images = randomTensor([2, 3, 8, 8], seed: 12)
        let probe = randomTensor([2, config.tokens, 8], seed: 13)
        model.zeroGradients()
        let (_, cache) = model.forwardTokens(images, masking: masking, keepCache: true)
        model.backwardTokens(probe, cache: cache!)
        let loss = { probeLoss(model.forwardTokens(images, masking: masking).tokens, probe) }
        assertParameterGradients(model.encoderParameters + [masking?.token].compactMap { $0 }, loss: loss)
        XCTAssertTrue(model.byName["head.weight"]!.gradient.data.allSatisfy { $0 == 0 })
    }

    func testGradientsMatchFiniteDifferences() throws {
        try checkTokenGradients(tinyConfig(), masked: false)
    }

    func testGradientsMatchFiniteDifferencesWithMaskedPatchesAndMeanPooling() throws {
        try checkTokenGradients(tinyConfig(pool: .mean), masked: true)
    }
}
