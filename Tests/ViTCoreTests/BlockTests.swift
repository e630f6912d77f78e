import XCTest
@testable import ViTCore

final class BlockTests: XCTestCase {
    func testBFloat16RoundingInsideTheNormsAndGELUMatchesRoundingEachLinearInput() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        // In bf16 the norms and GELU write their linear layers' bf16 inputs themselves; an input
        // observer on a weight turns that off (calibration needs the f32 input), which gives the
        // unfused twin. Both must compute the same bits, forward and backward.
        let model = try VisionTransformer(config: tinyModelConfig(heads: 2, mlpDim: 32), seed: 5)
        let images = randomTensor([3, 3, 8, 8], seed: 6), probe = randomTensor([3, 3], seed: 7)
        func run() -> (logits: Tensor, gradients: [[Float]]) {
            model.zeroGradients()
            let output = model.forward(images, precision: .bf16, keepCache: true, dropoutSeed: 1)
            model.backward(dLogits: probe, cache: output.cache!, precision: .bf16)
            return (output.logits, model.parameters.map { $0.gradient.data })
        }
        let fused = run()
        let observed = model.parameters.filter { $0.name.hasSuffix("mlp.fc1.weight") }
        XCTAssertEqual(observed.count, model.config.depth)
        for weight in observed { weight.inputObserver = { _ in } }
        defer { for weight in observed { weight.inputObserver = nil } }
        let unfused = run()
        XCTAssertEqual(fused.logits, unfused.logits)
        XCTAssertEqual(fused.gradients, unfused.gradients)
    }
}
