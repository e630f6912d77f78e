import XCTest
@testable import ViTCore

final class SeededGeneratorGammaTests: XCTestCase {
    private func moments(_ count: Int, _ draw: () -> Double) -> (mean: Double, variance: Double) {
        let values = (0..<count).map { _ in draw() }
        let mean = values.reduce(0, +) / Double(count)
        return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1))
    }

    func testGammaHasMeanAndVarianceEqualToShape() {
        var generator = SeededGenerator(seed: 51)
        for shape in [0.3, 0.8, 1.0, 3.5] {
            let (mean, variance) = moments(40_000) { generator.nextGamma(shape: shape) }
            XCTAssertEqual(mean, shape, accuracy: 0.03 * shape + 0.01, "shape \(shape)")
            XCTAssertEqual(variance, shape, accuracy: 0.08 * shape + 0.01, "shape \(shape)")
        }
    }

    func testBetaMomentsForMixupAndCutmixAlphas() {
        var generator = SeededGenerator(seed: 52)
        for alpha in [0.8, 1.0] {
            let (mean, variance) = moments(40_000) { generator.nextBeta(alpha, alpha) }
            // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)).
            XCTAssertEqual(mean, 0.5, accuracy: 0.01, "alpha \(alpha)")
            XCTAssertEqual(variance, 1 / (4 * (2 * alpha + 1)), accuracy: 0.004, "alpha \(alpha)")
        }
        var bounded = SeededGenerator(seed: 53)
        XCTAssert((0..<1000).allSatisfy { _ in (0...1).contains(bounded.nextBeta(0.8, 0.8)) })
    }
}
