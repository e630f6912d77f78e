import XCTest
@testable import ViTCore

final class LinearInt8Tests: XCTestCase {
    /// y_int8 differs from the float layer on the dequantized weights W' only through the input's
    /// rounding, at most half a step per element: |dy[t, n]| <= s_x / 2 * sum_k |W'[n, k]|.
    private func checkAgainstFloat(input: ActivationQuantization?, x: Tensor, layer: Linear) {
        let quantized = QuantizedLinearWeights(quantizing: layer.weight.value, input: input)
        let dequantizedLayer = Linear(weight: Parameter(name: "w", value: quantized.dequantized, decays: true),
                                      bias: layer.bias)
        let expected = dequantizedLayer.forward(x, precision: .f32)
        layer.weight.quantized = quantized
        defer { layer.weight.quantized = nil }
        let y = layer.forward(x, precision: .f32)
        let scale = (input ?? ActivationQuantization(rangeOf: x.data, count: x.count)).scale
        let (out, inputs, weights) = (layer.outFeatures, layer.inFeatures, quantized.dequantized.data)
        var worst: Float = 0
        for t in 0..<x.count / inputs {
            for n in 0..<out {
                let rowSum = (0..<inputs).reduce(Float(0)) { $0 + abs(weights[n * inputs + $1]) }
                let bound = scale / 2 * rowSum + 1e-5 * (1 + abs(expected.data[t * out + n]))
                worst = max(worst, abs(y.data[t * out + n] - expected.data[t * out + n]) / bound)
            }
        }
        print("\(worst <= 1 ? "OK" : "NOT OK") int8 linear (\(input == nil ? "dynamic" : "static")): largest difference \(worst) of the bound")
        XCTAssertLessThanOrEqual(worst, 1)
        XCTAssertEqual(y.shape, expected.shape)
    }

    private func makeLayer() -> Linear {
        Linear(weight: makeParameter("w", [24, 40], seed: 1), bias: makeParameter("b", [24], seed: 2))
    }

    func testDynamicInt8OutputIsWithinTheInputRoundingBoundOfTheDequantizedFloatLayer() {
        checkAgainstFloat(input: nil, x: randomTensor([3, 5, 40], seed: 3), layer: makeLayer())
    }

    func testStaticInt8OutputIsWithinTheInputRoundingBoundOfTheDequantizedFloatLayer() {
        let x = randomTensor([3, 5, 40], seed: 4)
        let calibrated = ActivationQuantization(minimum: x.data.min()!, maximum: x.data.max()!)
        checkAgainstFloat(input: calibrated, x: x, layer: makeLayer())
        let noBias = Linear(weight: makeParameter("w", [7, 40], seed: 5), bias: nil)
        checkAgainstFloat(input: calibrated, x: x, layer: noBias)
    }

    func testFusedGELUAndResidualEqualTheSeparateFloatSteps() {
        let layer = makeLayer()
        layer.weight.quantized = QuantizedLinearWeights(quantizing: layer.weight.value, input: nil)
        let x = randomTensor([6, 40], seed: 6), residual = randomTensor([6, 24], seed: 7)
        let plain = layer.forward(x, precision: .f32)
        let expected = add(GELU.forward(plain), residual)
        let fused = layer.forwardInt8(x, gelu: true, residual: residual)
        let worst = zip(fused.data, expected.data).map { abs($0 - $1) }.max()!
        print("\(worst <= 1e-5 ? "OK" : "NOT OK") fused int8 GELU + residual: largest difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-5)
    }

    func testTheObserverSeesTheInputOnBothPaths() {
        let layer = makeLayer()
        var seen: [[Int]] = []
        layer.weight.inputObserver = { seen.append($0.shape) }
        _ = layer.forward(randomTensor([2, 40], seed: 8), precision: .f32)
        layer.weight.quantized = QuantizedLinearWeights(quantizing: layer.weight.value, input: nil)
        _ = layer.forward(randomTensor([3, 40], seed: 9), precision: .f32)
        XCTAssertEqual(seen, [[2, 40], [3, 40]])
    }
}
