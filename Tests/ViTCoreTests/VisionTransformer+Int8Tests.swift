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
}
