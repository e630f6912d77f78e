import XCTest
@testable import ViTCore

final class MaxPoolTests: XCTestCase {
    func testOutputSizesFollowPyTorch() {
        // MaxPool2d(3, 2, 1): floor((S + 2 - 3) / 2) + 1.
        XCTAssertEqual([32, 16, 8, 7, 1].map(MaxPool.outputSize), [16, 8, 4, 4, 1])
        XCTAssertEqual(MaxPool.outputShape([2, 32, 32, 64]), [2, 16, 16, 64])
    }

    func testChannelsLastWindowsStayWithinTheirChannel() {
        // Channel 0 holds 1...16 row-major on a 4x4 image, channel 1 its negative: each window's
        // maximum is its bottom-right pixel in channel 0 and its top-left one in channel 1.
        var x = Tensor(zeros: [1, 4, 4, 2])
        for p in 0..<16 { (x.data[p * 2], x.data[p * 2 + 1]) = (Float(p + 1), -Float(p + 1)) }
        let (y, _) = MaxPool.forward(x, keepWorkspace: false)
        XCTAssertEqual(y.shape, [1, 2, 2, 2])
        XCTAssertEqual((0..<4).map { y.data[$0 * 2] }, [6, 8, 14, 16])
        XCTAssertEqual((0..<4).map { y.data[$0 * 2 + 1] }, [-1, -2, -5, -6])
    }

    func testOneDNNForwardMatchesTheDirectLoopsWithPaddingThatNeverWins() {
        for shape in [[2, 8, 8, 3], [1, 7, 7, 2], [2, 1, 1, 1], [1, 6, 6, 16]] {
            // Negative inputs: a zero padding would win every edge window.
            let x = Tensor(shape: shape, data: randomTensor(shape, seed: 1).data.map { -abs($0) - 1 })
            for keep in [false, true] {
                let (y, workspace) = MaxPool.forward(x, keepWorkspace: keep)
                let expected = MaxPool.reference(x)
                XCTAssertEqual(y.shape, expected.shape)
                let difference = zip(y.data, expected.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
                print("\(difference == 0 ? "OK" : "NOT OK") max pool \(shape) workspace \(keep): largest difference \(difference)")
                XCTAssertEqual(difference, 0)
                XCTAssertEqual(workspace != nil, keep)
            }
        }
    }

    func testBackwardMatchesFiniteDifferences() {
        var x = randomTensor([2, 7, 7, 3], seed: 2)  // random values: no ties between a window's inputs
        let probe = randomTensor([2, 4, 4, 3], seed: 3)
        let (_, workspace) = MaxPool.forward(x, keepWorkspace: true)
        let dx = MaxPool.backward(probe, workspace: workspace!, inputShape: x.shape)
        // Small steps: a larger one can change a window's winner.
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 },
                       loss: { probeLoss(MaxPool.reference(x), probe) }, samples: 100, epsilon: 1e-3)
    }
}
