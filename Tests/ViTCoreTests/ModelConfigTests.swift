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

    func testCheckpointsWrittenBeforeTheConvTokenizerStillDecodeWithDefaults() throws {
        let data = try JSONEncoder().encode(ModelConfig.student)
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for key in ["tokenizer", "conv_layers", "conv_channels", "drop_path"] {
            XCTAssertNotNil(object[key], key)
            object[key] = nil
        }
        let old = try JSONDecoder().decode(ModelConfig.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertEqual(old, ModelConfig.student)
        XCTAssertEqual(old.tokenizer, .patch)
        XCTAssertEqual(old.dropPath, 0)
        object["dim"] = nil  // an older key stays required
        XCTAssertThrowsError(try JSONDecoder().decode(ModelConfig.self, from: JSONSerialization.data(withJSONObject: object)))
    }

    func testCheckpointsWrittenBeforeBatchNormDecodeAsLayerNormModels() throws {
        var config = ModelConfig.student
        config.norm = .batch
        let data = try JSONEncoder().encode(config)
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertEqual(object["norm"] as? String, "batch")
        XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: data), config)
        object["norm"] = nil
        XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: JSONSerialization.data(withJSONObject: object)).norm, .layer)
        object["norm"] = "group"
        XCTAssertThrowsError(try JSONDecoder().decode(ModelConfig.self, from: JSONSerialization.data(withJSONObject: object)))
    }

    func testConvTokenizerConfigRoundTripsWithSnakeCaseKeys() throws {
        let data = try JSONEncoder().encode(ModelConfig.cctTeacher)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        XCTAssertEqual(object["tokenizer"] as? String, "conv")
        XCTAssertEqual(object["pool"] as? String, "seq")
        XCTAssertEqual(object["conv_layers"] as? Int, 2)
        XCTAssertEqual(object["conv_channels"] as? Int, 64)
        XCTAssertEqual((object["drop_path"] as? Double).map { Float($0) }, 0.1)
        XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: data), .cctTeacher)
    }

    func testConvTokenizerTokensIgnoreThePatchSizeAndHaveNoClassToken() throws {
        var config = ModelConfig.cctStudent
        config.patchSize = 5  // does not divide 32, but the conv tokenizer has no patches
        XCTAssertNoThrow(try config.validate())
        XCTAssertEqual(config.gridSize, 8)
        XCTAssertEqual(config.tokens, 64)
        config.pool = .cls
        XCTAssertEqual(config.tokens, 65)
        config.convLayers = 0
        XCTAssertThrowsError(try config.validate()) {
            XCTAssertEqual("\($0)", "the conv tokenizer needs at least 1 layer and 1 channel, got 0 and 64")
        }
        config = .cctTeacher
        config.dropPath = 1
        XCTAssertThrowsError(try config.validate()) { XCTAssertEqual("\($0)", "drop_path must be in [0, 1), got 1.0") }
    }

    func testPresetsAreFoundByName() {
        for name in ModelConfig.presetNames { XCTAssertNotNil(ModelConfig.preset(named: name), name) }
        XCTAssertEqual(ModelConfig.preset(named: "cct-student"), .cctStudent)
        XCTAssertNil(ModelConfig.preset(named: "cct"))
    }
}
