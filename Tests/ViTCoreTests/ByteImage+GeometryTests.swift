import XCTest
@testable import ViTCore

final class ByteImageGeometryTests: XCTestCase {
    /// in[c][y][x] = 64c + 4y + x + 1: every pixel distinct and none equal to the fill 0.
    private let ramp: [UInt8] = (0..<48).map { (i: Int) -> UInt8 in UInt8(i / 16 * 64 + i % 16 + 1) }

    private func at(_ image: [UInt8], _ c: Int, _ y: Int, _ x: Int) -> UInt8 {
        (0..<4).contains(y) && (0..<4).contains(x) ? image[c * 16 + y * 4 + x] : 0
    }

    /// Checks out(c, y, x) == in(c, source(y, x)) for every pixel, 0 where the source is outside.
    private func check(_ output: [UInt8], _ source: (Int, Int) -> (Int, Int), line: UInt = #line) {
        for c in 0..<3 { for y in 0..<4 { for x in 0..<4 {
            let (sy, sx) = source(y, x)
            XCTAssertEqual(output[c * 16 + y * 4 + x], at(ramp, c, sy, sx), "(\(c), \(y), \(x))", line: line)
        } } }
    }

    func testTranslateXMovesContentRightAndFillsWithZero() {
        check(withByteImage(ramp, height: 4, width: 4) { $0.translateX(1) }) { y, x in (y, x - 1) }
    }

    func testTranslateYNegativeMovesContentUp() {
        check(withByteImage(ramp, height: 4, width: 4) { $0.translateY(-1) }) { y, x in (y + 1, x) }
    }

    func testFillValueReplacesPixelsFromOutside() {
        let output = withByteImage(ramp, height: 4, width: 4) { $0.translateX(-3, fill: 128) }
        for c in 0..<3 { for y in 0..<4 {
            let row: Int = c * 16 + y * 4
            XCTAssertEqual(output[row], ramp[row + 3])
            XCTAssertEqual(Array(output[row + 1 ..< row + 4]), [128, 128, 128] as [UInt8])
        } }
    }

    func testRotateByNinetyDegreesTurnsCounterClockwise() {
        // The top-right corner comes to the top-left: out[y][x] = in[x][3 - y].
        check(withByteImage(ramp, height: 4, width: 4) { $0.rotate(90) }) { y, x in (x, 3 - y) }
        check(withByteImage(ramp, height: 4, width: 4) { $0.rotate(180) }) { y, x in (3 - y, 3 - x) }
        check(withByteImage(ramp, height: 4, width: 4) { $0.rotate(0) }) { y, x in (y, x) }
    }

    func testShearXReadsFromXPlusFactorTimesRowCentre() {
        // out(x, y) = in(round(x + 0.5 * (y + 0.5)), y): offsets 0.25, 0.75, 1.25, 1.75 round to 0, 1, 1, 2.
        let shifts = [0, 1, 1, 2]
        check(withByteImage(ramp, height: 4, width: 4) { $0.shearX(0.5) }) { y, x in (y, x + shifts[y]) }
    }

    func testShearYNegativeReadsFromRowsAbove() {
        // out(x, y) = in(x, round(y - 0.5 * (x + 0.5))).
        let shifts = [0, -1, -1, -2]
        check(withByteImage(ramp, height: 4, width: 4) { $0.shearY(-0.5) }) { y, x in (y + shifts[x], x) }
    }
}
