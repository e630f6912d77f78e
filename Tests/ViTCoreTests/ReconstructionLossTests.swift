import XCTest
@testable import ViTCore

final class ReconstructionLossTests: XCTestCase {
    func testWholeImageLossIsTheMeanSquaredError() {
        // One image, one channel, 2x2, P = 1: differences 1, -2, 0, 3 -> (1 + 4 + 0 + 9) / 4 = 3.5.
        let y = Tensor(shape: [1, 1, 2, 2], data: [1, -2, 0.5, 3])
        let t = Tensor(shape: [1, 1, 2, 2], data: [0, 0, 0.5, 0])
        let (loss, dy) = ReconstructionLoss.compute(reconstruction: y, target: t, patchSize: 1)
        XCTAssertEqual(loss, 3.5, accuracy: 1e-6)
        XCTAssertEqual(dy.data, [0.5, -1, 0, 1.5])  // 2 (y - t) / 4
    }

    func testMaskedLossCountsOnlyTheMaskedPatches() {
        // 4x4 image, P = 2: patches 0 (top left) and 3 (bottom right) masked, 8 pixels counted.
        // Difference 1 in the top-left patch, 3 in the bottom-right one, 100 elsewhere (ignored).
        var y = Tensor(repeating: 100, shape: [1, 1, 4, 4])
        for (row, column) in [(0, 0), (0, 1), (1, 0), (1, 1)] { y.data[row * 4 + column] = 1 }
        for (row, column) in [(2, 2), (2, 3), (3, 2), (3, 3)] { y.data[row * 4 + column] = 3 }
        let (loss, dy) = ReconstructionLoss.compute(reconstruction: y, target: Tensor(zeros: [1, 1, 4, 4]),
                                                    counted: [true, false, false, true], patchSize: 2)
        XCTAssertEqual(loss, (4 * 1 + 4 * 9) / 8, accuracy: 1e-6)
        XCTAssertEqual(dy.data[0], 2 * 1 / 8)
        XCTAssertEqual(dy.data[15], 2 * 3 / 8)
        XCTAssertEqual(dy.data[2], 0)
    }

    func testGradientMatchesFiniteDifferences() {
        var y = randomTensor([2, 3, 4, 4], seed: 1)
        let t = randomTensor([2, 3, 4, 4], seed: 2)
        let counted = [true, false, false, true, false, true, true, true]
        let (_, dy) = ReconstructionLoss.compute(reconstruction: y, target: t, counted: counted, patchSize: 2)
        assertGradient("dy", analytic: dy.data, perturb: { y.data[$0] += $1 },
                       loss: { Double(ReconstructionLoss.compute(reconstruction: y, target: t, counted: counted,
                                                                 patchSize: 2).loss) },
                       samples: 96, epsilon: 1e-3)
    }

    func testTargetIsTheImageInMinusOneToOne() {
        let normalization = ChannelNormalization(mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3])
        let bytes: [UInt8] = [0, 255, 51]
        let x = Tensor(shape: [1, 3, 1, 1], data: bytes.enumerated().map { normalization.normalize($1, channel: $0) })
        let t = ReconstructionLoss.target(fromNormalized: x, normalization: normalization)
        for (value, byte) in zip(t.data, bytes) { XCTAssertEqual(value, Float(byte) / 127.5 - 1, accuracy: 1e-6) }
    }
}
