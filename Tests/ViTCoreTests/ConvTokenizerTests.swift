import XCTest
@testable import ViTCore

final class ConvTokenizerTests: XCTestCase {
    /// 3 -> 4 -> 5 channels: an 8x8 image becomes 2x2 = 4 tokens of width 5.
    private func tinyTokenizer() -> ConvTokenizer {
        ConvTokenizer(weights: [makeParameter("tokenizer.conv_layers.0.0.weight", [4, 3, 3, 3], seed: 1),
                                makeParameter("tokenizer.conv_layers.1.0.weight", [5, 4, 3, 3], seed: 2)])
    }

    func testTokensAreThePooledMapsPixelsInRowMajorOrder() {
        let tokenizer = tinyTokenizer()
        let images = randomTensor([2, 3, 8, 8], seed: 3)
        let (tokens, cache) = tokenizer.forward(images, keepCache: false)
        XCTAssertNil(cache)
        XCTAssertEqual(tokens.shape, [2, 4, 5])
        // The naive twins composed by hand on channels-last maps, whose last one is already PyTorch's
        // x.flatten(2).transpose(1, 2) (the orientation against PyTorch: ConvolutionTests, Tests/Reference).
        var map = ConvTokenizer.channelsLast(images)
        for weight in tokenizer.weights {
            let convolved = Convolution.reference(map, weights: weight.value)
            map = MaxPool.reference(Tensor(shape: convolved.shape, data: convolved.data.map { max(0, $0) }))
        }
        var worst: Float = 0
        for b in 0..<2 { for d in 0..<5 { for pixel in 0..<4 {
            worst = max(worst, abs(tokens.data[(b * 4 + pixel) * 5 + d] - map.data[(b * 4 + pixel) * 5 + d]))
        } } }
        print("\(worst < 1e-5 ? "OK" : "NOT OK") tokenizer against the naive twins: largest difference \(worst)")
        XCTAssertLessThan(worst, 1e-5)
        XCTAssertEqual(tokenizer.forward(images, keepCache: true).0, tokens)
    }

    func testGradientsMatchFiniteDifferences() {
        let tokenizer = tinyTokenizer()
        var images = randomTensor([2, 3, 8, 8], seed: 4)
        let probe = randomTensor([2, 4, 5], seed: 5)
        let (_, cache) = tokenizer.forward(images, keepCache: true)
        let dImages = tokenizer.backward(probe, cache: cache!, needsInputGradient: true)!
        XCTAssertEqual(dImages.shape, images.shape)
        let loss = { probeLoss(tokenizer.forward(images, keepCache: false).0, probe) }
        // Small steps: max pooling's winners and ReLU's signs must not change under the probe.
        assertGradient("dImages", analytic: dImages.data, perturb: { images.data[$0] += $1 }, loss: loss,
                       samples: 96, epsilon: 1e-3)
        for weight in tokenizer.weights {
            assertGradient(weight.name, analytic: weight.gradient.data, perturb: { weight.value.data[$0] += $1 },
                           loss: loss, samples: 60, epsilon: 1e-3)
        }
    }

    func testTheModelNeedsNoImageGradient() {
        let tokenizer = tinyTokenizer()
        let (_, cache) = tokenizer.forward(randomTensor([1, 3, 8, 8], seed: 6), keepCache: true)
        XCTAssertNil(tokenizer.backward(randomTensor([1, 4, 5], seed: 7), cache: cache!))
        XCTAssertTrue(tokenizer.weights.allSatisfy { $0.gradient.data.contains { $0 != 0 } })
    }
}
