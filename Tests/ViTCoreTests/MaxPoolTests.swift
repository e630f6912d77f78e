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
        let (y, _) = MaxPool.forward(x, keepWinners: false)
        XCTAssertEqual(y.shape, [1, 2, 2, 2])
        XCTAssertEqual((0..<4).map { y.data[$0 * 2] }, [6, 8, 14, 16])
        XCTAssertEqual((0..<4).map { y.data[$0 * 2 + 1] }, [-1, -2, -5, -6])
        // Rectified, the negative channel's windows let nothing through.
        let (rectified, winners) = MaxPool.forward(x, rectified: true, keepWinners: true)
        XCTAssertEqual((0..<4).map { rectified.data[$0 * 2 + 1] }, [0, 0, 0, 0])
        XCTAssertEqual((0..<4).map { winners![$0 * 2 + 1] }, [MaxPool.blocked, MaxPool.blocked, MaxPool.blocked, MaxPool.blocked])
        XCTAssertEqual((0..<4).map { winners![$0 * 2] }, [8, 8, 8, 8], "channel 0's winners: each window's bottom-right tap")
    }

    /// Shapes with 8-channel vectors, a scalar remainder, odd sizes and 1x1 images.
    private let shapes = [[2, 8, 8, 3], [1, 7, 7, 2], [2, 1, 1, 1], [1, 6, 6, 16], [3, 9, 9, 21], [2, 32, 32, 64]]

    func testForwardMatchesTheDirectLoopsWithPaddingThatNeverWins() {
        for shape in shapes {
            // Negative inputs: a zero padding would win every edge window.
            let x = Tensor(shape: shape, data: randomTensor(shape, seed: 1).data.map { -abs($0) - 1 })
            for keep in [false, true] {
                let (y, winners) = MaxPool.forward(x, keepWinners: keep)
                let expected = MaxPool.reference(x)
                XCTAssertEqual(y.shape, expected.shape)
                let difference = zip(y.data, expected.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
                print("\(difference == 0 ? "OK" : "NOT OK") max pool \(shape) winners \(keep): largest difference \(difference)")
                XCTAssertEqual(difference, 0)
                XCTAssertEqual(winners != nil, keep)
            }
        }
    }

    func testRectifiedForwardEqualsPoolingTheReLUOutput() {
        for shape in shapes {
            let x = randomTensor(shape, seed: 4)  // about half negative
            let (y, _) = MaxPool.forward(x, rectified: true, keepWinners: true)
            let expected = MaxPool.reference(Tensor(shape: shape, data: x.data.map { max(0, $0) }))
            XCTAssertEqual(y.data, expected.data, "\(shape)")
        }
    }

    func testBackwardMatchesFiniteDifferences() {
        for shape in [[2, 7, 7, 3], [1, 6, 6, 19]] {  // scalar channels, and two vectors plus three
            for rectified in [false, true] {
                var x = randomTensor(shape, seed: 2)  // random values: no ties between a window's inputs
                let probe = randomTensor(MaxPool.outputShape(shape), seed: 3)
                let (_, winners) = MaxPool.forward(x, rectified: rectified, keepWinners: true)
                let dx = MaxPool.backward(probe, winners: winners!, inputShape: x.shape)
                let pooled = { (x: Tensor) in MaxPool.reference(rectified ? Tensor(shape: shape, data: x.data.map { max(0, $0) }) : x) }
                // Small steps: a larger one can change a window's winner.
                assertGradient("dx \(shape) rectified \(rectified)", analytic: dx.data, perturb: { x.data[$0] += $1 },
                               loss: { probeLoss(pooled(x), probe) }, samples: 100, epsilon: 1e-3)
            }
        }
    }

    func testBackwardSendsEachGradientToTheFirstLargestInput() {
        // A 3x3 image of equal values, one channel, four outputs: each window's first tap inside the
        // image wins (pixel 0 for output (0, 0)); rectified with all values <= 0, nothing wins.
        for (value, rectified, passes) in [(Float(2), false, true), (2, true, true), (0, true, false), (-1, true, false), (-1, false, true)] {
            let x = Tensor(shape: [1, 3, 3, 1], data: [Float](repeating: value, count: 9))
            let (_, winners) = MaxPool.forward(x, rectified: rectified, keepWinners: true)
            let dx = MaxPool.backward(Tensor(shape: [1, 2, 2, 1], data: [1, 10, 100, 1000]), winners: winners!,
                                      inputShape: x.shape)
            if passes {
                XCTAssertEqual(dx.data[0], 1, "value \(value) rectified \(rectified)")
                XCTAssertEqual(dx.data.reduce(0, +), 1111)
            } else {
                XCTAssertEqual(dx.data, [Float](repeating: 0, count: 9), "value \(value) rectified \(rectified)")
            }
        }
    }
}
