import XCTest
@testable import ViTCore

final class PretrainingModelTests: XCTestCase {
    private func tinyConfig(pool: ModelConfig.Pool = .cls) -> ModelConfig {
        var config = ModelConfig()
        config.imageSize = 8
        config.patchSize = 4
        config.dim = 8
        config.depth = 1
        config.heads = 2
        config.mlpDim = 12
        config.numClasses = 3
        config.pool = pool
        return config
    }

    /// A model with weights larger than the initialisation's, so every path carries a gradient worth checking.
    private func makeModel(_ config: ModelConfig, masked: Bool) throws -> PretrainingModel {
        let start = try PretrainingModel(config: config, masked: masked, seed: 1)
        for (index, parameter) in start.trainableParameters.enumerated() where !parameter.name.contains("norm") {
            parameter.value = randomTensor(parameter.shape, seed: UInt64(100 + index), scale: 0.3)
        }
        return start
    }

    private func checkGradients(_ config: ModelConfig, maskRatio: Float) throws {
        let model = try makeModel(config, masked: maskRatio > 0)
        let images = randomTensor([2, 3, 8, 8], seed: 2)
        let target = randomTensor([2, 3, 8, 8], seed: 3, scale: 0.5)
        let masking = model.masking(batch: 2, ratio: maskRatio, seed: 4)
        XCTAssertEqual(masking == nil, maskRatio == 0)
        // The real loss rather than a probe, so that the masked-patch scoring is covered too; scaled
        // so that the gradients are well above the checker's absolute floor of 0.1.
        let scale: Float = 100
        func loss() -> (Float, Tensor, PretrainingCache) {
            let (y, cache) = model.forward(images, masking: masking, keepCache: true)
            let (value, dy) = ReconstructionLoss.compute(reconstruction: y, target: target, counted: masking?.masked,
                                                         patchSize: config.patchSize)
            return (value * scale, Tensor(shape: dy.shape, data: dy.data.map { $0 * scale }), cache!)
        }
        model.zeroGradients()
        let (_, dy, cache) = loss()
        model.backward(dy, cache: cache)
        assertParameterGradients(model.trainableParameters, loss: { Double(loss().0) })
    }

    func testGradientsMatchFiniteDifferencesForWholeImageReconstruction() throws {
        try checkGradients(tinyConfig(), maskRatio: 0)
    }

    func testGradientsMatchFiniteDifferencesForMaskedReconstruction() throws {
        try checkGradients(tinyConfig(pool: .mean), maskRatio: 0.5)
    }

    func testTheEncoderStartsAsANewClassifierWouldAndTheHeadIsNotTrained() throws {
        let model = try PretrainingModel(config: tinyConfig(), masked: true, seed: 7)
        let classifier = try VisionTransformer(config: tinyConfig(), seed: 7)
        XCTAssertEqual(model.encoder.parameters.map(\.value), classifier.parameters.map(\.value))
        XCTAssertFalse(model.trainableParameters.contains { $0.name.hasPrefix("head") })
        XCTAssertEqual(model.trainableParameters.last?.name, "decoder.mask_token")
    }
}
