import XCTest
@testable import ViTCore

final class DropPathTests: XCTestCase {
    func testRatesRiseLinearlyOverTheBlocksLikeTimm() {
        // torch.linspace(0, 0.1, 6)
        let rates = (0..<6).map { DropPath.rate(block: $0, depth: 6, maximum: 0.1) }
        for (rate, expected) in zip(rates, [0, 0.02, 0.04, 0.06, 0.08, 0.1] as [Float]) {
            XCTAssertEqual(rate, expected, accuracy: 1e-7)
        }
        XCTAssertEqual(DropPath.rate(block: 0, depth: 1, maximum: 0.1), 0)
    }

    func testWholeSamplesAreDroppedOrScaledByTheKeepProbability() {
        var generator = SeededGenerator(seed: 1)
        let mask = DropPath.mask(batch: 20_000, rate: 0.25, generator: &generator)
        XCTAssertEqual(Double(mask.filter { $0 == 0 }.count) / 20_000, 0.25, accuracy: 0.015)
        XCTAssertTrue(mask.allSatisfy { $0 == 0 || $0 == 1 / 0.75 })
        var x = Tensor(repeating: 2, shape: [3, 2, 2])
        DropPath.apply([0, 1, 4], to: &x)
        XCTAssertEqual(x.data, [0, 0, 0, 0, 2, 2, 2, 2, 8, 8, 8, 8])
    }

    func testTheSameSeedDrawsTheSameMask() {
        var first = SeededGenerator(seed: 7), second = SeededGenerator(seed: 7)
        XCTAssertEqual(DropPath.mask(batch: 64, rate: 0.5, generator: &first),
                       DropPath.mask(batch: 64, rate: 0.5, generator: &second))
    }

    func testAddingAScaledBranchHasTheBitsOfScalingThenAdding() {
        let x = randomTensor([40, 16, 24], seed: 1), branch = randomTensor([40, 16, 24], seed: 2)
        var generator = SeededGenerator(seed: 3)
        let mask = DropPath.mask(batch: 40, rate: 0.3, generator: &generator)
        var scaled = branch
        for sample in 0..<40 {
            for i in (sample * 384)..<((sample + 1) * 384) { scaled.data[i] = branch.data[i] * mask[sample] }
        }
        XCTAssertEqual(DropPath.scaled(branch, by: mask), scaled)
        XCTAssertEqual(DropPath.addScaled(x, branch, by: mask), add(x, scaled))
    }
}
