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

    func testGradientMatchesFiniteDifferences() {
        var x = randomTensor([40], seed: 5, scale: 2)
        let probe = randomTensor([40], seed: 6)
        let dx = GELU.backward(probe, input: x)
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 },
                       loss: { probeLoss(GELU.forward(x), probe) }, samples: 40, epsilon: 1e-3)
    }
}
