import XCTest
@testable import ViTCore

final class ConvolutionTests: XCTestCase {
    private func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
        XCTAssertEqual(a.shape, b.shape)
        return zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func testOneDNNForwardMatchesTheDirectLoops() {
        for (input, outputs) in [([2, 8, 8, 3], 4), ([1, 7, 7, 5], 6), ([3, 1, 1, 2], 3), ([2, 6, 6, 16], 8)] {
            let x = randomTensor(input, seed: 1), weights = randomTensor([outputs, input[3], 3, 3], seed: 2)
            let difference = largestDifference(Convolution.forward(x, weights: weights), Convolution.reference(x, weights: weights))
            let tolerance = 4e-7 * Float(input[3] * 9)  // float32 round-off grows with the products summed
            print("\(difference < tolerance ? "OK" : "NOT OK") convolution \(input) -> \(outputs) channels: largest difference \(difference)")
            XCTAssertLessThan(difference, tolerance)
        }
        print("convolution implementation: \(Convolution.implementation(input: [2, 8, 8, 3], weights: [4, 3, 3, 3]))")
    }

    func testChannelsLastImagesMeetPyTorchWeightIndexing() {
        // x[0, i, j, c] = 10 i + j + 100 c on a 3x3 image with 2 channels; W[1, 1, 0, 0] = 1 is the
        // top-left tap of output channel 1 reading input channel 1: y[0, i, j, 1] = x[0, i - 1, j - 1, 1].
        var x = Tensor(zeros: [1, 3, 3, 2])
        for i in 0..<3 { for j in 0..<3 { for c in 0..<2 { x.data[(i * 3 + j) * 2 + c] = Float(10 * i + j + 100 * c) } } }
        var weights = Tensor(zeros: [2, 2, 3, 3])
        weights.data[((1 * 2 + 1) * 3 + 0) * 3 + 0] = 1
        let y = Convolution.forward(x, weights: weights)
        XCTAssertEqual(y.shape, [1, 3, 3, 2])
        let channel1 = (0..<9).map { y.data[$0 * 2 + 1] }, channel0 = (0..<9).map { y.data[$0 * 2] }
        XCTAssertEqual(channel1, [0, 0, 0, 0, 100, 101, 0, 110, 111])
        XCTAssertEqual(channel0, [Float](repeating: 0, count: 9))
    }

    func testBackwardMatchesFiniteDifferences() {
        var x = randomTensor([2, 5, 5, 3], seed: 3)
        var weights = randomTensor([4, 3, 3, 3], seed: 4)
        let probe = randomTensor([2, 5, 5, 4], seed: 5)
        let dx = Convolution.backwardData(probe, weights: weights, inputShape: x.shape)
        var dWeights = Tensor(zeros: weights.shape)
        Convolution.backwardWeights(x, dy: probe, addingInto: &dWeights)
        let loss = { probeLoss(Convolution.forward(x, weights: weights), probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, samples: 60)
        assertGradient("dW", analytic: dWeights.data, perturb: { weights.data[$0] += $1 }, loss: loss, samples: 60)
    }

    func testWeightGradientsAccumulate() {
        let x = randomTensor([1, 4, 4, 2], seed: 6), dy = randomTensor([1, 4, 4, 3], seed: 7)
        var once = Tensor(zeros: [3, 2, 3, 3]), twice = Tensor(zeros: [3, 2, 3, 3])
        Convolution.backwardWeights(x, dy: dy, addingInto: &once)
        Convolution.backwardWeights(x, dy: dy, addingInto: &twice)
        Convolution.backwardWeights(x, dy: dy, addingInto: &twice)
        XCTAssertLessThan(largestDifference(twice, Tensor(shape: once.shape, data: once.data.map { 2 * $0 })), 1e-5)
    }

    /// x rounded to bf16 and widened back: what a bf16 product reads.
    private func roundedThroughBFloat16(_ t: Tensor) -> Tensor {
        var bits = [UInt16](repeating: 0, count: t.count), back = [Float](repeating: 0, count: t.count)
        convertToBFloat16(t.data, &bits, count: t.count)
        convertFromBFloat16(bits, &back, count: t.count)
        return Tensor(shape: t.shape, data: back)
    }

    func testBFloat16ForwardMatchesTheDirectLoopsOnRoundedInputs() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        let x = randomTensor([2, 6, 6, 16], seed: 1), weights = randomTensor([32, 16, 3, 3], seed: 2)
        XCTAssertTrue(Convolution.runsInBFloat16(input: x.shape, weights: weights.shape, precision: .bf16))
        let fast = Convolution.forward(x, weights: weights, precision: .bf16)
        let slow = Convolution.reference(roundedThroughBFloat16(x), weights: roundedThroughBFloat16(weights))
        // The products of bf16 values are exact in f32; only the f32 sums round.
        let difference = largestDifference(fast, slow)
        print("\(difference < 1e-4 ? "OK" : "NOT OK") bf16 convolution (\(Convolution.implementation(input: x.shape, weights: weights.shape, precision: .bf16))): largest difference \(difference)")
        XCTAssertLessThan(difference, 1e-4)
    }

    func testBFloat16BackwardStaysWithinRoundingOfFloat32() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        let x = randomTensor([2, 6, 6, 16], seed: 3), weights = randomTensor([32, 16, 3, 3], seed: 4)
        let dy = randomTensor([2, 6, 6, 32], seed: 5)
        var (gradient32, gradient16) = (Tensor(zeros: weights.shape), Tensor(zeros: weights.shape))
        let dx32 = Convolution.backward(dy, input: x, weights: weights, addingInto: &gradient32,
                                        needsInputGradient: true, precision: .f32)!
        let dx16 = Convolution.backward(dy, input: x, weights: weights, addingInto: &gradient16,
                                        needsInputGradient: true, precision: .bf16)!
        // Sums of 16*9 (dx) and 2*36 (dW) unit products, each input off by up to 2^-8.
        XCTAssertLessThan(largestDifference(dx32, dx16), 0.3)
        XCTAssertLessThan(largestDifference(gradient32, gradient16), 0.3)
        // The combined call equals the two separate ones, which round dy the same way.
        var separate = Tensor(zeros: weights.shape)
        Convolution.backwardWeights(x, dy: dy, addingInto: &separate, precision: .bf16)
        XCTAssertEqual(separate, gradient16)
        XCTAssertEqual(Convolution.backwardData(dy, weights: weights, inputShape: x.shape, precision: .bf16), dx16)
    }

    func testTheImageLayerStaysFloat32InBFloat16() {
        // Three input channels: bf16 gains nothing there and oneDNN's bf16 weight-gradient kernel is slow.
        XCTAssertFalse(Convolution.runsInBFloat16(input: [2, 8, 8, 3], weights: [16, 3, 3, 3], precision: .bf16))
        XCTAssertFalse(Convolution.runsInBFloat16(input: [2, 8, 8, 16], weights: [16, 16, 3, 3], precision: .f32))
        let x = randomTensor([2, 8, 8, 3], seed: 6), weights = randomTensor([16, 3, 3, 3], seed: 7)
        XCTAssertEqual(Convolution.forward(x, weights: weights, precision: .bf16), Convolution.forward(x, weights: weights))
    }
}
