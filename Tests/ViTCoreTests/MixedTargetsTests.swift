import XCTest
@testable import ViTCore

final class MixedTargetsTests: XCTestCase {
    func testProbabilitiesMixOneHotsThenSmooth() {
        let targets = MixedTargets(labels: [0, 2, 1], partners: [1, 2, 0], lambda: 0.7)
        let p = targets.probabilities(classes: 3, smoothing: 0.3)
        XCTAssertEqual(p.shape, [3, 3])
        // off = 0.3 / 3 = 0.1; the label gets 0.7 * 0.7 more, the partner 0.7 * 0.3 more.
        let expected: [Float] = [0.59, 0.31, 0.1,
                                 0.1, 0.1, 0.8,
                                 0.31, 0.59, 0.1]
        for (a, b) in zip(p.data, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        for b in 0..<3 { XCTAssertEqual(p.data[b * 3 ..< b * 3 + 3].reduce(0, +), 1, accuracy: 1e-6) }
    }

    func testNoSmoothingAndFullLambdaIsOneHot() {
        let p = MixedTargets(labels: [1], partners: [0], lambda: 1).probabilities(classes: 4, smoothing: 0)
        XCTAssertEqual(p.data, [0, 1, 0, 0])
    }
}
