import Foundation
import XCTest
@testable import ViTCore

final class PretrainingConfigTests: XCTestCase {
    func testMaskRatioOutsideZeroToOneIsRejected() {
        for ratio: Float in [-0.1, 1, 1.5, .nan] {
            var config = PretrainingConfig()
            config.objective = .masked
            config.maskRatio = ratio
            XCTAssertThrowsError(try config.validate(), "\(ratio)") { error in
                XCTAssertTrue("\(error)".hasPrefix("mask ratio must be in [0, 1)"), "\(error)")
            }
        }
    }

    func testObjectiveMustFitTheMaskRatio() {
        var config = PretrainingConfig()
        config.maskRatio = 0.5
        XCTAssertThrowsError(try config.validate())
        config.objective = .masked
        XCTAssertNoThrow(try config.validate())
    }

    func testJSONUsesSnakeCaseKeys() throws {
        let json = String(decoding: try JSONEncoder().encode(PretrainingConfig()), as: UTF8.self)
        for key in ["\"objective\":\"image\"", "\"mask_ratio\":0", "\"batch_size\":128", "\"warmup_epochs\":5"] {
            XCTAssertTrue(json.contains(key), "\(key) in \(json)")
        }
    }
}
