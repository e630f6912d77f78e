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

    func testBFloat16InferenceWithTheAddsAndGELUInsideTheProductsMatchesTheStepByStepForward() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        // Inference adds the residuals inside proj's and fc2's products and applies GELU inside
        // fc1's; a training forward (keepCache) takes the same values step by step. They differ by
        // float round-off: oneDNN's erf against fastErf (both within 2e-7) can put a GELU output on
        // the other side of a bf16 rounding (2^-9 relative), which fc2 carries into y.
        var config = tinyModelConfig(heads: 2, mlpDim: 64)
        config.dim = 32
        let model = try VisionTransformer(config: config, seed: 5)
        let x = randomTensor([6, 17, 32], seed: 6)
        for block in model.blocks {
            var none: SeededGenerator? = nil
            let fused = block.forward(x, precision: .bf16, keepCache: false, generator: &none).0
            let stepByStep = block.forward(x, precision: .bf16, keepCache: true, generator: &none).0
            XCTAssertEqual(fused.shape, stepByStep.shape)
            let largest = zip(fused.data, stepByStep.data).map { abs($0 - $1) }.max()!
            let scale = stepByStep.data.map(abs).max()!
            print(String(format: "fused bf16 inference block: %@ largest difference %.2e of values up to %.2f",
                         largest <= 2e-3 * scale ? "OK" : "NOT OK", largest, scale))
            XCTAssertLessThanOrEqual(largest, 2e-3 * scale)
            XCTAssertNotEqual(fused.data, x.data, "the block changed its input")
        }
    }

    func testFusedBackwardHasTheBitsOfTheSeparateSteps() throws {
        // Block.backward folds the drop-path masks, GELU's backward and the residual adds into the
        // passes next to them; here the same gradients are taken one step at a time.
        let precisions: [Precision] = CPUCapabilities.current.nativeBFloat16 ? [.f32, .bf16] : [.f32]
        var config = tinyModelConfig(heads: 2, mlpDim: 32)
        config.dim = 16
        config.dropPath = 0.5
        let model = try VisionTransformer(config: config, seed: 5)
        let block = model.blocks[1]
        XCTAssertGreaterThan(block.dropPath, 0)
        let x = randomTensor([6, 5, 16], seed: 6), dy = randomTensor([6, 5, 16], seed: 7)
        for precision in precisions {
            var generator: SeededGenerator? = SeededGenerator(seed: 8)
            let (_, kept) = block.forward(x, precision: precision, keepCache: true, generator: &generator)
            let cache = try XCTUnwrap(kept)
            XCTAssertEqual(cache.pathMasks.count, 2)
            XCTAssertTrue(cache.pathMasks.joined().contains(0), "the seed should drop a sample")
            model.zeroGradients()
            let fused = block.backward(dy, cache: cache, precision: precision)
            let fusedGradients = model.parameters.map { $0.gradient.data }

            model.zeroGradients()
            let dOut = DropPath.scaled(dy, by: cache.pathMasks[1])
            let dActivated = block.fc2.backward(dOut, input: cache.activated, precision: precision)!
            let dHidden = GELU.backward(dActivated, derivative: cache.geluSlope)
            let dNormed2 = block.fc1.backward(dHidden, input: cache.normed2, precision: precision)!
            let dx1 = add(dy, block.norm2.backward(dNormed2, cache: cache.norm2))
            let dAttended = DropPath.scaled(dx1, by: cache.pathMasks[0])
            let dNormed1 = block.attention.backward(dAttended, cache: cache.attention, precision: precision)
            let separate = add(dx1, block.norm1.backward(dNormed1, cache: cache.norm1))
            XCTAssertEqual(fused, separate, "\(precision)")
            XCTAssertEqual(fusedGradients, model.parameters.map { $0.gradient.data }, "\(precision)")
        }
    }
}
