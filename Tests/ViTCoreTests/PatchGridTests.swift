import XCTest
@testable import ViTCore

final class PatchGridTests: XCTestCase {
    func testSplitLaysPatchesOutLikeThePatchEmbedding() {
        let images = randomTensor([2, 3, 8, 8], seed: 1)
        let embedding = PatchEmbedding(projection: Linear(weight: makeParameter("w", [4, 3, 4, 4], seed: 2), bias: nil),
                                       patchSize: 4, channels: 3)
        XCTAssertEqual(PatchGrid.split(images, patchSize: 4), embedding.patches(images))
    }

    func testJoinUndoesSplit() {
        let images = randomTensor([2, 3, 8, 8], seed: 3)
        let patches = PatchGrid.split(images, patchSize: 2)
        XCTAssertEqual(patches.shape, [2, 16, 12])
        XCTAssertEqual(PatchGrid.join(patches, channels: 3, patchSize: 2), images)
    }

    func testSecondPatchOfTheFirstRowStartsAtColumnP() {
        // One channel, 4x4 image of its own indices, P = 2: patch (0, 1) holds pixels 2, 3, 6, 7.
        let image = Tensor(shape: [1, 1, 4, 4], data: (0..<16).map(Float.init))
        XCTAssertEqual(Array(PatchGrid.split(image, patchSize: 2).data[4..<8]), [2, 3, 6, 7])
    }
}
