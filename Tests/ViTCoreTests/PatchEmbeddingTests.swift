import XCTest
@testable import ViTCore

final class PatchEmbeddingTests: XCTestCase {
    func testEmbeddingEqualsAStridedConvolutionWrittenOut() {
        // Conv2d(3 -> 4, kernel = stride = 2) on a 4x4 image, computed directly.
        let (channels, size, patch, width) = (3, 4, 2, 4)
        let weight = makeParameter("w", [width, channels, patch, patch], seed: 1)
        let bias = makeParameter("b", [width], seed: 2)
        let embedding = PatchEmbedding(projection: Linear(weight: weight, bias: bias), patchSize: patch, channels: channels)
        let images = randomTensor([2, channels, size, size], seed: 3)
        let (tokens, _) = embedding.forward(images, precision: .f32)
        let grid = size / patch
        for b in 0..<2 {
            for gy in 0..<grid {
                for gx in 0..<grid {
                    for o in 0..<width {
                        var sum = Double(bias.value.data[o])
                        for c in 0..<channels {
                            for py in 0..<patch {
                                for px in 0..<patch {
                                    let pixel = images.data[((b * channels + c) * size + gy * patch + py) * size + gx * patch + px]
                                    let w = weight.value.data[((o * channels + c) * patch + py) * patch + px]
                                    sum += Double(pixel) * Double(w)
                                }
                            }
                        }
                        let token = (b * grid + gy) * grid + gx
                        XCTAssertEqual(tokens.data[token * width + o], Float(sum), accuracy: 1e-5)
                    }
                }
            }
        }
    }

    func testParameterGradientsMatchFiniteDifferences() {
        let embedding = PatchEmbedding(projection: Linear(weight: makeParameter("w", [5, 3, 2, 2], seed: 4),
                                                          bias: makeParameter("b", [5], seed: 5)),
                                       patchSize: 2, channels: 3)
        let images = randomTensor([2, 3, 4, 4], seed: 6)
        let probe = randomTensor([2, 4, 5], seed: 7)
        let (_, patches) = embedding.forward(images, precision: .f32)
        embedding.backward(probe, patches: patches, precision: .f32)
        assertParameterGradients([embedding.projection.weight, embedding.projection.bias!],
                                 loss: { probeLoss(embedding.forward(images, precision: .f32).tokens, probe) })
    }
}
