import XCTest
@testable import ViTCore

final class BatchNormFoldingTests: XCTestCase {
    /// A BatchNorm model whose norms and running statistics are far from their initial values,
    /// so that folding has something to fold.
    private func batchNormModel(dim: Int = 8, pool: ModelConfig.Pool = .mean) throws -> VisionTransformer {
        var config = tinyModelConfig(pool: pool)
        config.norm = .batch
        config.dim = dim
        config.mlpDim = 2 * dim
        var values: [String: Tensor] = [:]
        for (index, (name, shape)) in (ParameterLayout.shapes(config) + ParameterLayout.bufferShapes(config)).enumerated() {
            let random = randomTensor(shape, seed: UInt64(200 + index), scale: 0.3)
            values[name] = name.hasSuffix("running_var") || (name.contains("norm") && name.hasSuffix(".weight"))
                ? Tensor(shape: shape, data: random.data.map { 0.5 + abs($0) }) : random
        }
        return try VisionTransformer(config: config, values: values)
    }

    func testTheFoldedModelComputesTheUnfoldedLogits() throws {
        for pool in [ModelConfig.Pool.mean, .cls] {
            let model = try batchNormModel(pool: pool)
            let folded = model.floatCopy()
            BatchNormFolding.fold(folded)
            let images = randomTensor([3, 3, 8, 8], seed: 9)
            let (expected, actual) = (model.forward(images).logits, folded.forward(images).logits)
            let worst = zip(expected.data, actual.data).map { abs($0 - $1) }.max()!
            print("\(worst < 1e-5 ? "OK" : "NOT OK") folded BatchNorm (\(pool)): largest logit difference \(worst)")
            XCTAssertLessThan(worst, 1e-5)
            XCTAssertNotEqual(folded.byName["blocks.0.attn.qkv.weight"]!.value, model.byName["blocks.0.attn.qkv.weight"]!.value)
            XCTAssertEqual(folded.byName["norm.weight"]!.value, model.byName["norm.weight"]!.value, "the final norm stays")
        }
    }

    func testFoldedNormsAreExactIdentities() throws {
        let model = try batchNormModel()
        BatchNormFolding.fold(model)
        let x = randomTensor([2, 4, 8], seed: 3)
        for block in model.blocks {
            for norm in [block.norm1.batchNorm!, block.norm2.batchNorm!] {
                XCTAssertEqual(norm.forward(x, training: false).0, x)
            }
        }
        XCTAssertEqual(BatchNormFolding.identityVariance(epsilon: 1e-5) + 1e-5, 1)
    }

    func testLayerNormModelsAreLeftAlone() throws {
        let model = try VisionTransformer(config: tinyModelConfig(), seed: 1)
        let before = model.parameters.map(\.value)
        BatchNormFolding.fold(model)
        XCTAssertEqual(model.parameters.map(\.value), before)
    }

    func testTheInt8ModelOfABatchNormModelStaysCloseToTheFloatModel() throws {
        // Running statistics of the data, as a trained model has (0.9^60: the initial ones are gone).
        let float = try batchNormModel(dim: 32)
        let calibration = (0..<4).map { randomTensor([16, 3, 8, 8], seed: 100 + UInt64($0)) }
        for step in 0..<60 { float.updateRunningStatistics(float.forward(calibration[step % 4], keepCache: true).cache!) }
        let quantized = float.floatCopy()
        try PostTrainingQuantization.quantize(quantized, settings: QuantizationSettings(), batchCount: 4) { calibration[$0] }
        XCTAssertTrue(quantized.isQuantized)
        let images = randomTensor([200, 3, 8, 8], seed: 7)
        let (expected, actual) = (float.forward(images).logits, quantized.forward(images).logits)
        let same = zip(predictions(expected), predictions(actual)).filter { $0 == $1 }.count
        let spread = expected.data.map(abs).max()!
        let worst = zip(expected.data, actual.data).map { abs($0 - $1) }.max()!
        print("\(same >= 180 ? "OK" : "NOT OK") int8 BatchNorm model: \(same)/200 same predictions, largest logit difference \(worst) (logits up to \(spread))")
        XCTAssertGreaterThanOrEqual(same, 180)
        XCTAssertLessThan(worst, 0.1 * spread)
    }
}
