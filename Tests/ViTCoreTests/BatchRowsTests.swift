import XCTest
@testable import ViTCore

final class BatchRowsTests: XCTestCase {
    func testSharesCoverTheBatchInOrderAndDifferByAtMostOneRow() {
        for (total, ranks) in [(10, 3), (7, 2), (128, 4), (3, 3)] {
            let shares = (0..<ranks).map { BatchRows.share(of: total, rank: $0, ranks: ranks) }
            XCTAssertEqual(shares.flatMap { Array($0.range) }, Array(0..<total))
            let sizes = shares.map(\.count)
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1)
        }
        XCTAssertTrue(BatchRows.share(of: 5, rank: 0, ranks: 1).isAll)
    }

    func testADrawForSomeRowsIsThoseRowsOfTheWholeDrawAndLeavesTheGeneratorAsTheWholeDrawWould() {
        var whole = SeededGenerator(seed: 3)
        let all = (0..<12).map { _ in whole.next() }
        var part = SeededGenerator(seed: 3)
        let rows = BatchRows(range: 1..<3, total: 4)
        XCTAssertEqual(rows.draw(perRow: 3, generator: &part) { $0.next() }, Array(all[3..<9]))
        XCTAssertEqual(part.next(), whole.next())
    }

    func testASliceHoldsTheRowsOfTheTensorAndOfTheTargets() {
        let t = Tensor(shape: [3, 2], data: [1, 2, 3, 4, 5, 6])
        let rows = BatchRows(range: 1..<3, total: 3)
        XCTAssertEqual(rows.slice(t), Tensor(shape: [2, 2], data: [3, 4, 5, 6]))
        let targets = MixedTargets(labels: [0, 1, 2], partners: [2, 1, 0], lambda: 0.7)
        XCTAssertEqual(rows.slice(targets), MixedTargets(labels: [1, 2], partners: [1, 0], lambda: 0.7))
    }
}
