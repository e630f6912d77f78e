import XCTest
@testable import ViTCore

final class ReductionsTests: XCTestCase {
    func testLaneReductionsMatchSerialSumsForEveryLength() {
        for count in [1, 7, 8, 9, 16, 65, 100] {
            let a = randomTensor([count], seed: UInt64(count)).data, b = randomTensor([count], seed: 99).data
            let serialSum = a.reduce(0, +), serialDot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            let centre: Float = 0.3
            let serialSquares = a.reduce(0) { $0 + ($1 - centre) * ($1 - centre) }
            XCTAssertEqual(sumOf(a, count), serialSum, accuracy: 1e-5, "\(count)")
            XCTAssertEqual(maximumOf(a, count), a.max()!, "\(count)")
            XCTAssertEqual(dotOf(a, b, count), serialDot, accuracy: 1e-5, "\(count)")
            XCTAssertEqual(centredSquaresOf(a, count, centre: centre), serialSquares, accuracy: 1e-4, "\(count)")
        }
    }
}
