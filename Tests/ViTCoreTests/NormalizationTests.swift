import XCTest
@testable import ViTCore

final class NormalizationTests: XCTestCase {
    func testKnownPixelsMatchToTensorThenNormalize() {
        let n = ChannelNormalization.cifar10
        XCTAssertEqual(n.normalize(255, channel: 0), (1 - 0.4914) / 0.2470, accuracy: 1e-5)
        XCTAssertEqual(n.normalize(0, channel: 2), -0.4465 / 0.2616, accuracy: 1e-5)
        XCTAssertEqual(n.normalize(128, channel: 1), (128.0 / 255 - 0.4822) / 0.2435, accuracy: 1e-5)
    }

    func testRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(ChannelNormalization.cifar10)
        XCTAssertEqual(try JSONDecoder().decode(ChannelNormalization.self, from: data), .cifar10)
    }
}
