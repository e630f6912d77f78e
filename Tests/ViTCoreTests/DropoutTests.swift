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

final class DropoutRowsTests: XCTestCase {
    func testTheMaskOfSomeRowsIsThoseRowsOfTheWholeBatchsMask() {
        var whole = SeededGenerator(seed: 5), part = SeededGenerator(seed: 5)
        let all = Dropout.mask(count: 4 * 6, rate: 0.3, generator: &whole)
        let rows = BatchRows(range: 2..<4, total: 4)
        XCTAssertEqual(Dropout.mask(count: 2 * 6, rate: 0.3, generator: &part, rows: rows), Array(all[12..<24]))
        XCTAssertEqual(part.next(), whole.next())
    }
}
