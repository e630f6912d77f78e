import XCTest
@testable import ViTCore

final class PretrainingStepTests: XCTestCase {
    private func tinyConfig() -> ModelConfig {
        var config = ModelConfig()
        config.patchSize = 8
        config.dim = 16
        config.depth = 1
        config.heads = 2
        config.mlpDim = 32
        return config
    }

    func testAPretrainingStepMovesTheEncodersBatchNormStatisticsWithoutTrainingThem() throws {
        var config = tinyConfig()
        config.norm = .batch
        config.pool = .mean
        let model = try PretrainingModel(config: config, masked: true, seed: 1)
        let before = model.encoder.buffers.map(\.value)
        _ = PretrainingStep(maskRatio: 0.5, normalization: .cifar10, precision: .f32, clipNorm: 1)
            .run(model: model, optimizer: AdamW(weightDecay: 0.05), images: randomTensor([2, 3, 32, 32], seed: 2),
                 learningRate: 1e-3, seed: 3)
        XCTAssertTrue(zip(model.encoder.buffers.map(\.value), before).allSatisfy { $0 != $1 })
        XCTAssertTrue(model.trainableParameters.allSatisfy { !ParameterLayout.isBuffer($0.name) })
    }

    private func lossAfterSteps(maskRatio: Float, steps: Int) throws -> (first: Float, last: Float) {
        let model = try PretrainingModel(config: tinyConfig(), masked: maskRatio > 0, seed: 1)
        let optimizer = AdamW(weightDecay: 0.05)
        let step = PretrainingStep(maskRatio: maskRatio, normalization: .cifar10, precision: .f32, clipNorm: 1)
        // Noise cannot be reconstructed through the tokens; smooth images can: a colour per image
        // and channel plus a ramp across the columns.
        let colours = randomTensor([4, 3], seed: 2)
        let images = Tensor(shape: [4, 3, 32, 32], data: (0..<4 * 3 * 32 * 32).map { i in
            colours.data[i / 1024] + Float(i % 32) / 32 - 0.5
        })
        var losses: [Float] = []
        for index in 0..<steps {
            losses.append(step.run(model: model, optimizer: optimizer, images: images, learningRate: 3e-3,
                                   seed: UInt64(index)))
        }
        return (losses.first!, losses.last!)
    }

    func testRepeatedStepsOnOneBatchLowerTheReconstructionLoss() throws {
        let (first, last) = try lossAfterSteps(maskRatio: 0, steps: 15)
        XCTAssertLessThan(last, 0.8 * first)
    }

    func testMaskedStepsLowerTheLossOnTheMaskedPatches() throws {
        let (first, last) = try lossAfterSteps(maskRatio: 0.5, steps: 15)
        XCTAssertLessThan(last, 0.8 * first)
    }
}
