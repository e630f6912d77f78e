import XCTest
@testable import ViTCore

final class GELUTests: XCTestCase {
    func testForwardMatchesExactGELU() {
        let y = GELU.forward(Tensor(shape: [3], data: [-1, 0, 2]))
        // x * Phi(x): Phi(-1) = 0.158655, Phi(2) = 0.977250
        XCTAssertEqual(y.data[0], -0.158655, accuracy: 1e-5)
        XCTAssertEqual(y.data[1], 0, accuracy: 1e-7)
        XCTAssertEqual(y.data[2], 1.954500, accuracy: 1e-5)
    }

    func testSavedDerivativeGivesTheSameGradient() {
        let x = randomTensor([50], seed: 9, scale: 3)
        let dy = randomTensor([50], seed: 10)
        let (y, derivative) = GELU.forwardWithDerivative(x)
        XCTAssertEqual(y, GELU.forward(x))
        let viaDerivative = GELU.backward(dy, derivative: derivative), viaInput = GELU.backward(dy, input: x)
        for (a, b) in zip(viaDerivative.data, viaInput.data) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testGradientMatchesFiniteDifferences() {
        var x = randomTensor([40], seed: 5, scale: 2)
        let probe = randomTensor([40], seed: 6)
        let dx = GELU.backward(probe, input: x)
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 },
                       loss: { probeLoss(GELU.forward(x), probe) }, samples: 40, epsilon: 1e-3)
    }
}

final class GELURoundedTests: XCTestCase {
    func testRoundedOutputHasTheBitsOfTheFloatOutputRoundedAfterwards() {
        let x = randomTensor([1000], seed: 5, scale: 4)
        let (y, derivative) = GELU.forwardWithDerivative(x)
        let (rounded, roundedDerivative) = GELU.forwardRoundedWithDerivative(x)
        var expected = [UInt16](repeating: 0, count: x.count)
        convertToBFloat16(y.data, &expected, count: x.count)
        XCTAssertEqual(rounded.rounded, expected)
        XCTAssertNil(rounded.values)
        XCTAssertEqual(rounded.shape, x.shape)
        XCTAssertEqual(roundedDerivative, derivative)
        XCTAssertEqual(GELU.forwardRounded(x).rounded, GELU.forward(x).roundedToBFloat16())
    }
}
