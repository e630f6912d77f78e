import XCTest
@testable import ViTCore

final class LayerNormTests: XCTestCase {
    func testForwardNormalisesEachRow() {
        let norm = LayerNorm(gamma: Parameter(name: "g", value: Tensor(repeating: 1, shape: [4]), decays: false),
                             beta: Parameter(name: "b", value: Tensor(zeros: [4]), decays: false))
        let (y, _) = norm.forward(Tensor(shape: [1, 4], data: [1, 2, 3, 4]), keepCache: false)
        // mean 2.5, variance 1.25
        let expected: [Float] = [-1.5, -0.5, 0.5, 1.5].map { $0 / (1.25 + 1e-6).squareRoot() }
        for (a, b) in zip(y.data, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testGradientsMatchFiniteDifferences() {
        let norm = LayerNorm(gamma: makeParameter("gamma", [6], seed: 1), beta: makeParameter("beta", [6], seed: 2))
        var x = randomTensor([3, 6], seed: 3)
        let probe = randomTensor([3, 6], seed: 4)
        let (_, cache) = norm.forward(x, keepCache: true)
        let dx = norm.backward(probe, cache: cache!)
        let loss = { probeLoss(norm.forward(x, keepCache: false).0, probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, epsilon: 1e-3)
        assertParameterGradients([norm.gamma, norm.beta], loss: loss)
    }

    func testRoundedOutputHasTheBitsOfTheFloatOutputRoundedAfterwards() {
        let norm = LayerNorm(gamma: makeParameter("gamma", [24], seed: 1), beta: makeParameter("beta", [24], seed: 2))
        let x = randomTensor([300, 24], seed: 3, scale: 3)
        for keepCache in [false, true] {
            let (y, cache) = norm.forward(x, keepCache: keepCache)
            let (rounded, roundedCache) = norm.forwardRounded(x, keepCache: keepCache)
            XCTAssertEqual(rounded.rounded, y.roundedToBFloat16())
            XCTAssertNil(rounded.values)
            XCTAssertEqual(rounded.shape, x.shape)
            XCTAssertEqual(roundedCache?.normalized, cache?.normalized)
            XCTAssertEqual(roundedCache?.reciprocalStd, cache?.reciprocalStd)
        }
    }

    func testBackwardAddingTheResidualHasTheBitsOfAddingAfterwards() {
        let norm = LayerNorm(gamma: makeParameter("gamma", [24], seed: 1), beta: makeParameter("beta", [24], seed: 2))
        let x = randomTensor([300, 24], seed: 3), dy = randomTensor([300, 24], seed: 4)
        let residual = randomTensor([300, 24], seed: 5)
        let (_, cache) = norm.forward(x, keepCache: true)
        let separate = add(residual, norm.backward(dy, cache: cache!))
        let (gammaGradient, betaGradient) = (norm.gamma.gradient.data, norm.beta.gradient.data)
        norm.gamma.gradient.fill(0)
        norm.beta.gradient.fill(0)
        XCTAssertEqual(norm.backward(dy, cache: cache!, adding: residual), separate)
        XCTAssertEqual(norm.gamma.gradient.data, gammaGradient)
        XCTAssertEqual(norm.beta.gradient.data, betaGradient)
    }
}
