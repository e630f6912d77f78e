import Foundation
import XCTest
@testable import ViTCore

final class ModelConfigTests: XCTestCase {
    func testJSONUsesTheDocumentedSnakeCaseKeysAndRoundTrips() throws {
        var config = ModelConfig.student
        config.blockHeads = [4, 3, 2, 1]
        let data = try JSONEncoder().encode(config)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for key in ["patch_size", "dim", "depth", "heads", "mlp_dim", "num_classes", "pool", "dropout", "mean", "std",
                    "block_heads"] {
            XCTAssertNotNil(object[key], key)
        }
        XCTAssertNil(object["block_mlp_dims"])  // absent, not null, when unused
        XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: data), config)
    }

    func testPerBlockWidthsMustFitTheModel() {
        var config = ModelConfig.student
        config.blockHeads = [4, 4]
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual("\($0)", "block_heads needs 4 positive values, got [4, 4]") }
        config.blockHeads = [4, 4, 4, 5]
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual("\($0)", "block_heads [4, 4, 4, 5] cannot exceed heads 4") }
    }

    func testTokenCountsFollowThePooling() {
        var config = ModelConfig.teacher
        XCTAssertEqual(config.tokens, 65)
        config.pool = .mean
        XCTAssertEqual(config.tokens, 64)
        config.distillationToken = true
        XCTAssertEqual(config.tokens, 65)
    }
}
