import XCTest
@testable import ViTCore

final class CollectLogitsTests: XCTestCase {
    func testLogitsComeInTheImagesOrderAcrossBatches() throws {
        let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        let images = syntheticImages(labels: (0..<9).map { UInt8($0 % 10) }, seed: 2)
        let (logits, labels) = collectLogits(model, on: images, batchSize: 4)
        XCTAssertEqual(logits.shape, [9, 10])
        XCTAssertEqual(labels, (0..<9).map { Int32($0) })
        // The last image alone gives the same row as within its batch.
        let (last, _) = collectLogits(model, on: images.subset([8]), batchSize: 4)
        for c in 0..<10 { XCTAssertEqual(last.data[c], logits.data[80 + c], accuracy: 1e-4) }
    }
}
