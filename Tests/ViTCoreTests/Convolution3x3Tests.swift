import XCTest
@testable import ViTCore

final class Convolution3x3Tests: XCTestCase {
    private func makeLayer(inputs: Int, outputs: Int) -> Convolution3x3 {
        Convolution3x3(weight: makeParameter("w", [outputs, inputs, 3, 3], seed: 1),
                       bias: makeParameter("b", [outputs], seed: 2))
    }

    func testMatchesADirectConvolutionWithZeroPadding() {
        let layer = makeLayer(inputs: 3, outputs: 2)
        let x = randomTensor([2, 3, 5, 5], seed: 3)
        let (y, _) = layer.forward(x, precision: .f32)
        XCTAssertEqual(y.shape, [2, 2, 5, 5])
        let w = layer.linear.weight.value.data, bias = layer.linear.bias!.value.data
        var worst: Float = 0
        for b in 0..<2 { for o in 0..<2 { for row in 0..<5 { for column in 0..<5 {
            var expected = bias[o]
            for c in 0..<3 { for ky in 0..<3 { for kx in 0..<3 {
                let (iy, ix) = (row + ky - 1, column + kx - 1)
                guard (0..<5).contains(iy), (0..<5).contains(ix) else { continue }
                expected += w[((o * 3 + c) * 3 + ky) * 3 + kx] * x.data[((b * 3 + c) * 5 + iy) * 5 + ix]
            } } }
            worst = max(worst, abs(expected - y.data[((b * 2 + o) * 5 + row) * 5 + column]))
        } } } }
        XCTAssertLessThan(worst, 1e-5)
    }

    func testGradientsMatchFiniteDifferences() {
        let layer = makeLayer(inputs: 3, outputs: 3)
        var x = randomTensor([2, 3, 4, 4], seed: 4)
        let probe = randomTensor([2, 3, 4, 4], seed: 5)
        let (_, columns) = layer.forward(x, precision: .f32)
        let dx = layer.backward(probe, columns: columns, inputShape: x.shape, precision: .f32)
        let loss = { probeLoss(layer.forward(x, precision: .f32).0, probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, samples: 96)
        assertParameterGradients([layer.linear.weight, layer.linear.bias!], loss: loss)
    }
}
