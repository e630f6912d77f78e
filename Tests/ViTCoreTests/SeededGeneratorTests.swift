import XCTest
@testable import ViTCore

final class SeededGeneratorTests: XCTestCase {
    func testSameSeedGivesSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
    }

    func testUniformStaysInUnitInterval() {
        var g = SeededGenerator(seed: 1)
        for _ in 0..<10_000 {
            let u = g.nextUniform()
            XCTAssert(u >= 0 && u < 1)
        }
    }

    func testTruncatedNormalStaysWithinTwoStd() {
        var g = SeededGenerator(seed: 7)
        var sumSquares: Double = 0
        for _ in 0..<20_000 {
            let z = g.nextTruncatedNormal(std: 0.02)
            XCTAssertLessThanOrEqual(abs(z), 0.04)
            sumSquares += Double(z * z)
        }
        // A normal truncated at 2 sigma has std 0.88 sigma.
        XCTAssertEqual((sumSquares / 20_000).squareRoot(), 0.0176, accuracy: 0.001)
    }

    func testPermutationHoldsEveryIndexOnce() {
        var g = SeededGenerator(seed: 3)
        XCTAssertEqual(g.permutation(500).sorted(), Array(0..<500))
    }
}
