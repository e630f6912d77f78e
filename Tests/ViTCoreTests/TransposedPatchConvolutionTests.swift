import XCTest
@testable import ViTCore

final class TransposedPatchConvolutionTests: XCTestCase {
    func testEachTokenPaintsItsOwnPatch() {
        // D = 1, C = 1, P = 2, a 2x2 grid of tokens 1, 2, 3, 4; weight [[1, 2], [3, 4]], bias 10.
        let layer = TransposedPatchConvolution(
            weight: Parameter(name: "w", value: Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4]), decays: true),
            bias: Parameter(name: "b", value: Tensor(shape: [1], data: [10]), decays: false))
        let y = layer.forward(Tensor(shape: [1, 4, 1], data: [1, 2, 3, 4]), precision: .f32)
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.data, [11, 12, 12, 14,
                                13, 14, 16, 18,
                                13, 16, 14, 18,
                                19, 22, 22, 26])
    }

    func testMatchesANaiveTransposedConvolution() {
        let layer = TransposedPatchConvolution(weight: makeParameter("w", [5, 3, 2, 2], seed: 1),
                                               bias: makeParameter("b", [3], seed: 2))
        let x = randomTensor([2, 9, 5], seed: 3)  // a 3x3 grid
        let y = layer.forward(x, precision: .f32)
        // y[b, c, 2gy + py, 2gx + px] = b[c] + sum_d x[b, 3gy + gx, d] W[d, c, py, px]
        var worst: Float = 0
        for b in 0..<2 { for c in 0..<3 { for row in 0..<6 { for column in 0..<6 {
            let (token, py, px) = ((row / 2) * 3 + column / 2, row % 2, column % 2)
            var expected = layer.bias.value.data[c]
            for d in 0..<5 {
                expected += x.data[(b * 9 + token) * 5 + d] * layer.weight.value.data[((d * 3 + c) * 2 + py) * 2 + px]
            }
            worst = max(worst, abs(expected - y.data[((b * 3 + c) * 6 + row) * 6 + column]))
        } } } }
        XCTAssertLessThan(worst, 1e-5)
    }

    func testGradientsMatchFiniteDifferences() {
        let layer = TransposedPatchConvolution(weight: makeParameter("w", [6, 3, 2, 2], seed: 4),
                                               bias: makeParameter("b", [3], seed: 5))
        var x = randomTensor([2, 4, 6], seed: 6)
        let probe = randomTensor([2, 3, 4, 4], seed: 7)
        let dx = layer.backward(probe, input: x, precision: .f32)
        let loss = { probeLoss(layer.forward(x, precision: .f32), probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss)
        assertParameterGradients([layer.weight, layer.bias], loss: loss)
    }
}
