import XCTest
@testable import ViTCore

final class DropoutTests: XCTestCase {
    func testMaskDropsAboutTheRateAndKeepsTheExpectation() {
        var generator = SeededGenerator(seed: 1)
        let mask = Dropout.mask(count: 100_000, rate: 0.25, generator: &generator)
        let dropped = mask.filter { $0 == 0 }.count
        XCTAssertEqual(Double(dropped) / 100_000, 0.25, accuracy: 0.01)
        XCTAssertEqual(mask.first { $0 != 0 }, 1 / 0.75)
        XCTAssertEqual(Double(mask.reduce(0, +)) / 100_000, 1, accuracy: 0.01)
    }
}
