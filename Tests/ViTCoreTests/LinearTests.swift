import XCTest
@testable import ViTCore

final class LinearTests: XCTestCase {
    func testForwardMatchesHandComputedValues() {
        let layer = Linear(weight: Parameter(name: "w", value: Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]), decays: true),
                           bias: Parameter(name: "b", value: Tensor(shape: [2], data: [0.5, -1]), decays: false))
        let y = layer.forward(Tensor(shape: [1, 3], data: [1, 0, -1]), precision: .f32)
        XCTAssertEqual(y.data, [1 - 3 + 0.5, 4 - 6 - 1])
    }

    func testGradientsMatchFiniteDifferences() {
        let layer = Linear(weight: makeParameter("w", [5, 4], seed: 1), bias: makeParameter("b", [5], seed: 2))
        var x = randomTensor([2, 3, 4], seed: 3)
        let probe = randomTensor([2, 3, 5], seed: 4)
        let dx = layer.backward(probe, input: x, precision: .f32)!
        let loss = { probeLoss(layer.forward(x, precision: .f32), probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss)
        assertParameterGradients([layer.weight, layer.bias!], loss: loss)
    }

    func testAnInputRoundedOnceGivesTheSameBFloat16ResultsAsRoundingEachProduct() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        let linear = Linear(weight: makeParameter("w", [24, 32], seed: 1), bias: makeParameter("b", [24], seed: 2))
        let x = randomTensor([5, 32], seed: 3), dy = randomTensor([5, 24], seed: 4)
        let input = Linear.input(x, precision: .bf16)
        XCTAssertEqual(linear.forward(input, precision: .bf16), linear.forward(x, precision: .bf16))
        linear.weight.gradient.fill(0)
        let dxOnce = linear.backward(dy, input: input, precision: .bf16)!
        let gradientOnce = linear.weight.gradient.data
        linear.weight.gradient.fill(0)
        let dxEach = linear.backward(dy, input: x, precision: .bf16)!
        XCTAssertEqual(dxOnce, dxEach)
        XCTAssertEqual(gradientOnce, linear.weight.gradient.data)
        XCTAssertNil(Linear.input(x, precision: .f32).rounded)
    }

    func testAnOutputWrittenInBFloat16HasTheBitsOfTheRoundedFloatOutput() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        // The product rounds as it writes (oneDNN, to nearest even) where vitc rounded the f32
        // output in a pass of its own; the bits must be the same, ties and large sums included.
        let linear = Linear(weight: makeParameter("w", [48, 64], seed: 1), bias: makeParameter("b", [48], seed: 2))
        let x = randomTensor([3, 37, 64], seed: 3)
        let input = Linear.input(x, precision: .bf16)
        let written = linear.forwardRounded(input)
        XCTAssertEqual(written.shape, [3, 37, 48])
        XCTAssertEqual(written.rounded, linear.forward(input, precision: .bf16).roundedToBFloat16())
        XCTAssertNil(written.values)
    }

    func testBackwardOfAProductMatchesMultiplyingFirst() throws {
        let precisions: [Precision] = CPUCapabilities.current.nativeBFloat16 ? [.f32, .bf16] : [.f32]
        let x = randomTensor([300, 32], seed: 3), dy = randomTensor([300, 24], seed: 4)
        let factors = randomTensor([300, 24], seed: 5)
        for precision in precisions {
            let linear = Linear(weight: makeParameter("w", [24, 32], seed: 1), bias: makeParameter("b", [24], seed: 2))
            let input = Linear.input(x, precision: precision)
            let dxSeparate = linear.backward(GELU.backward(dy, derivative: factors), input: input, precision: precision)!
            let (weightGradient, biasGradient) = (linear.weight.gradient.data, linear.bias!.gradient.data)
            linear.weight.gradient.fill(0)
            linear.bias!.gradient.fill(0)
            let dxFused = linear.backward(dy, scaledBy: .elements(factors), input: input, precision: precision)
            XCTAssertEqual(dxFused, dxSeparate, "\(precision)")
            XCTAssertEqual(linear.weight.gradient.data, weightGradient, "\(precision)")
            XCTAssertEqual(linear.bias!.gradient.data, biasGradient, "\(precision)")
        }
    }
}
