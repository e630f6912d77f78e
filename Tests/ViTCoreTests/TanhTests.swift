import Foundation
import XCTest
@testable import ViTCore

final class TanhTests: XCTestCase {
    func testForwardMatchesTheLibraryTanh() {
        let x = Tensor(shape: [9], data: [-20, -3, -1, -0.1, 0, 1e-4, 0.5, 2, 9])
        let y = Tanh.forward(x)
        for (value, result) in zip(x.data, y.data) {
            XCTAssertEqual(result, Float(Foundation.tanh(Double(value))), accuracy: 2e-7, "tanh(\(value))")
        }
    }

    func testGradientMatchesFiniteDifferences() {
        var x = randomTensor([40], seed: 5, scale: 1.5)
        let probe = randomTensor([40], seed: 6)
        let dx = Tanh.backward(probe, output: Tanh.forward(x))
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 },
                       loss: { probeLoss(Tanh.forward(x), probe) }, samples: 40, epsilon: 1e-3)
    }
}
