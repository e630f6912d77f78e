import XCTest
@testable import ViTCore

final class ImageTokenizerTests: XCTestCase {
    func testEachTokenizerKeepsTheCacheItsBackwardReads() {
        let embedding = PatchEmbedding(projection: Linear(weight: makeParameter("w", [5, 3, 4, 4], seed: 1),
                                                          bias: makeParameter("b", [5], seed: 2)), patchSize: 4, channels: 3)
        let convolutions = ConvTokenizer(weights: [makeParameter("c0", [4, 3, 3, 3], seed: 3),
                                                   makeParameter("c1", [5, 4, 3, 3], seed: 4)])
        let images = randomTensor([2, 3, 8, 8], seed: 5)
        for tokenizer in [ImageTokenizer.patch(embedding), .conv(convolutions)] {
            let (tokens, cache) = tokenizer.forward(images, precision: .f32, keepCache: true)
            XCTAssertEqual(tokens.shape, [2, 4, 5])  // 8x8 in patches of 4, or halved twice: 2x2 tokens
            XCTAssertNil(tokenizer.forward(images, precision: .f32, keepCache: false).1)
            tokenizer.backward(randomTensor([2, 4, 5], seed: 6), cache: cache!, precision: .f32)
        }
        for parameter in [embedding.projection.weight, convolutions.weights[0], convolutions.weights[1]] {
            XCTAssertTrue(parameter.gradient.data.contains { $0 != 0 }, parameter.name)
        }
    }
}
