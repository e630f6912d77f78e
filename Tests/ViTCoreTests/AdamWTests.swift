import XCTest
@testable import ViTCore

final class AdamWTests: XCTestCase {
    func testFirstStepMatchesPyTorch() {
        // PyTorch AdamW(lr=0.1, weight_decay=0.5) on w = [1, -2], grad = [0.5, 0.25]: the first
        // bias-corrected update is sign(g) * lr, after decay w * (1 - lr * wd).
        let parameter = Parameter(name: "w", value: Tensor(shape: [2], data: [1, -2]), decays: true)
        parameter.gradient = Tensor(shape: [2], data: [0.5, 0.25])
        AdamW(weightDecay: 0.5).update([parameter], learningRate: 0.1)
        XCTAssertEqual(parameter.value.data[0], 1 * 0.95 - 0.1, accuracy: 1e-6)
        XCTAssertEqual(parameter.value.data[1], -2 * 0.95 - 0.1, accuracy: 1e-6)
    }

    func testNoDecayOnParametersThatDoNotDecay() {
        let parameter = Parameter(name: "norm.weight", value: Tensor(shape: [1], data: [1]), decays: false)
        AdamW(weightDecay: 0.5).update([parameter], learningRate: 0.1)  // zero gradient
        XCTAssertEqual(parameter.value.data[0], 1)
    }

    func testPrunedWeightsStayExactlyZeroThroughManySteps() {
        let parameter = Parameter(name: "w", value: Tensor(shape: [4], data: [0, 1, 0, -1]), decays: true)
        parameter.mask = Tensor(shape: [4], data: [0, 1, 0, 1])
        let optimizer = AdamW(weightDecay: 0.05)
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<50 {
            parameter.gradient = Tensor(shape: [4], data: (0..<4).map { _ in generator.nextNormal() })
            optimizer.update([parameter], learningRate: 0.01)
        }
        XCTAssertEqual(parameter.value.data[0], 0)
        XCTAssertEqual(parameter.value.data[2], 0)
        XCTAssertNotEqual(parameter.value.data[1], 1)
    }

    func testGradientClippingScalesToTheMaximumNorm() {
        let parameter = Parameter(name: "w", value: Tensor(zeros: [2]), decays: true)
        parameter.gradient = Tensor(shape: [2], data: [3, 4])
        XCTAssertEqual(clipGradientNorm([parameter], maximumNorm: 1), 5)
        XCTAssertEqual(parameter.gradient.data[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(parameter.gradient.data[1], 0.8, accuracy: 1e-5)
    }
}
