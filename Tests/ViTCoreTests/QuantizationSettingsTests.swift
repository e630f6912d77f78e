import XCTest
@testable import ViTCore

final class QuantizationSettingsTests: XCTestCase {
    func testOutOfRangeSettingsGetOneLineErrors() {
        var settings = QuantizationSettings()
        XCTAssertNoThrow(try settings.validate())
        let cases: [(WritableKeyPath<QuantizationSettings, Double>?, Double, Int, String)] = [
            (nil, 0, 0, "--calibration-images must be at least 1, got 0"),
            (\.percentile, 50, 512, "--percentile must be in (50, 100], got 50.0"),
            (\.percentile, 101, 512, "--percentile must be in (50, 100], got 101.0"),
        ]
        for (path, value, images, message) in cases {
            settings = QuantizationSettings()
            if let path { settings[keyPath: path] = value }
            settings.calibrationImages = images
            XCTAssertThrowsError(try settings.validate()) { XCTAssertEqual("\($0)", message) }
        }
        settings = QuantizationSettings()
        settings.percentile = 100
        XCTAssertNoThrow(try settings.validate())
    }

    func testSettingsEncodeWithSnakeCaseKeys() throws {
        var settings = QuantizationSettings()
        settings.parentSHA256 = "abc"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(settings), as: UTF8.self)
        XCTAssertEqual(json, #"{"calibration":"minmax","calibration_images":512,"mode":"static","parent_sha256":"abc","patch_embedding":false,"percentile":99.99,"seed":0}"#)
        XCTAssertEqual(try JSONDecoder().decode(QuantizationSettings.self, from: Data(json.utf8)), settings)
    }
}
