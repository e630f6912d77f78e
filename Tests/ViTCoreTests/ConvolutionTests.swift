import XCTest
@testable import ViTCore

final class ConvolutionTests: XCTestCase {
    private func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.shape, b.shape)
        return zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func testOneDNNForwardMatchesTheDirectLoops() {
        for (input, outputs) in [([2, 3, 8, 8], 4), ([1, 5, 7, 7], 6), ([3, 2, 1, 1], 3)] {
            let x = randomTensor(input, seed: 1), weights = randomTensor([outputs, input[1], 3, 3], seed: 2)
            let difference = largestDifference(Convolution.forward(x, weights: weights), Convolution.reference(x, weights: weights))
            print("\(difference < 1e-5 ? "OK" : "NOT OK") convolution \(input) -> \(outputs) channels: largest difference \(difference)")
            XCTAssertLessThan(difference, 1e-5)
        }
        print("convolution implementation: \(Convolution.implementation(input: [2, 3, 8, 8], weights: [4, 3, 3, 3]))")
    }

    func testBackwardMatchesFiniteDifferences() {
        var x = randomTensor([2, 3, 5, 5], seed: 3)
        var weights = randomTensor([4, 3, 3, 3], seed: 4)
        let probe = randomTensor([2, 4, 5, 5], seed: 5)
        let dx = Convolution.backwardData(probe, weights: weights, inputShape: x.shape)
        var dWeights = Tensor(zeros: weights.shape)
        Convolution.backwardWeights(x, dy: probe, addingInto: &dWeights)
        let loss = { probeLoss(Convolution.forward(x, weights: weights), probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, samples: 60)
        assertGradient("dW", analytic: dWeights.data, perturb: { weights.data[$0] += $1 }, loss: loss, samples: 60)
    }

    func testWeightGradientsAccumulate() {
        let x = randomTensor([1, 2, 4, 4], seed: 6), dy = randomTensor([1, 3, 4, 4], seed: 7)
        var once = Tensor(zeros: [3, 2, 3, 3]), twice = Tensor(zeros: [3, 2, 3, 3])
        Convolution.backwardWeights(x, dy: dy, addingInto: &once)
        Convolution.backwardWeights(x, dy: dy, addingInto: &twice)
        Convolution.backwardWeights(x, dy: dy, addingInto: &twice)
        XCTAssertLessThan(largestDifference(twice, Tensor(shape: once.shape, data: once.data.map { 2 * $0 })), 1e-5)
    }
}
