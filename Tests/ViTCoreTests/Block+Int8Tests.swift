import XCTest
@testable import ViTCore

final class BlockInt8Tests: XCTestCase {
    func testFusedInt8BlockEqualsTheUnfusedInt8Steps() throws {
        var config = ModelConfig()
        config.imageSize = 8
        config.dim = 16
        config.depth = 1
        config.heads = 2
        config.mlpDim = 24
        let model = try VisionTransformer(config: config, seed: 3)
        var settings = QuantizationSettings()
        settings.mode = .dynamic
        try PostTrainingQuantization.quantize(model, settings: settings, batchCount: 0) { _ in Tensor(zeros: [0]) }
        let block = model.blocks[0], x = randomTensor([3, config.tokens, 16], seed: 4)
        var generator: SeededGenerator?
        XCTAssertTrue(block.runsFusedInt8(keepCache: false, generator: generator))
        XCTAssertFalse(block.runsFusedInt8(keepCache: true, generator: generator))
        let (fused, _) = block.forward(x, precision: .f32, keepCache: false, generator: &generator)
        // The same layers one by one: float GELU and add between separate int8 products.
        let (normed1, _) = block.norm1.forward(x, keepCache: false)
        let x1 = add(x, block.attention.forward(normed1, precision: .f32, keepCache: false).0)
        let hidden = block.fc1.forward(block.norm2.forward(x1, keepCache: false).0, precision: .f32)
        let expected = add(x1, block.fc2.forward(GELU.forward(hidden), precision: .f32))
        let worst = zip(fused.data, expected.data).map { abs($0 - $1) }.max()!
        print("\(worst <= 1e-4 ? "OK" : "NOT OK") fused int8 block vs separate steps: largest difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-4)
    }
}
