import XCTest
@testable import ViTCore

final class ReconstructionDecoderTests: XCTestCase {
    private func tinyConfig() -> ModelConfig {
        var config = ModelConfig()
        config.imageSize = 8
        config.patchSize = 4
        config.dim = 6
        return config
    }

    func testOutputIsAnImageInMinusOneToOne() throws {
        var generator = SeededGenerator(seed: 1)
        let decoder = try ReconstructionDecoder(config: tinyConfig(),
                                                values: ReconstructionDecoder.initialValues(tinyConfig(), generator: &generator))
        let (y, cache) = decoder.forward(randomTensor([2, 4, 6], seed: 2, scale: 5), precision: .f32, keepCache: false)
        XCTAssertNil(cache)
        XCTAssertEqual(y.shape, [2, 3, 8, 8])
        XCTAssertTrue(y.data.allSatisfy { abs($0) < 1 })
    }

    func testParametersHaveTheDocumentedNamesAndShapes() throws {
        var generator = SeededGenerator(seed: 1)
        let decoder = try ReconstructionDecoder(config: tinyConfig(),
                                                values: ReconstructionDecoder.initialValues(tinyConfig(), generator: &generator))
        XCTAssertEqual(decoder.parameters.map(\.name), ["decoder.deconv.weight", "decoder.deconv.bias",
                                                        "decoder.conv.weight", "decoder.conv.bias"])
        XCTAssertEqual(decoder.parameters.map(\.shape), [[6, 3, 4, 4], [3], [3, 3, 3, 3], [3]])
    }

    func testMissingWeightIsNamed() {
        XCTAssertThrowsError(try ReconstructionDecoder(config: tinyConfig(), values: [:])) { error in
            XCTAssertEqual("\(error)", "missing decoder weight decoder.deconv.weight")
        }
    }

    func testGradientsMatchFiniteDifferences() throws {
        let config = tinyConfig()
        var values: [String: Tensor] = [:]
        for (index, (name, shape)) in ReconstructionDecoder.shapes(config).enumerated() {
            values[name] = randomTensor(shape, seed: UInt64(10 + index), scale: 0.4)
        }
        let decoder = try ReconstructionDecoder(config: config, values: values)
        var tokens = randomTensor([2, 4, 6], seed: 3)
        let probe = randomTensor([2, 3, 8, 8], seed: 4)
        let (_, cache) = decoder.forward(tokens, precision: .f32, keepCache: true)
        let dTokens = decoder.backward(probe, cache: cache!, precision: .f32)
        let loss = { probeLoss(decoder.forward(tokens, precision: .f32, keepCache: false).0, probe) }
        assertGradient("dTokens", analytic: dTokens.data, perturb: { tokens.data[$0] += $1 }, loss: loss)
        assertParameterGradients(decoder.parameters, loss: loss)
    }
}
