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
}
