import XCTest
@testable import ViTCore

final class GradientRoundingTests: XCTestCase {
    /// Shapes below and above the size at which both cores share the rows.
    let shapes = [(rows: 7, columns: 13), (rows: 300, columns: 264)]

    func testRoundingWithColumnSumsHasTheBitsOfTheSeparatePasses() {
        for (rows, columns) in shapes {
            let dy = randomTensor([rows, columns], seed: 1, scale: 3)
            let start = randomTensor([columns], seed: 2).data
            var expectedSums = start, sums = start
            addColumnSums(dy.data, rows: rows, columns: columns, into: &expectedSums)
            var rounded = [UInt16](repeating: 0, count: dy.count)
            roundGradient(dy.data, times: nil, rows: rows, columns: columns, into: &rounded, addingColumnSumsTo: &sums)
            XCTAssertEqual(rounded, dy.roundedToBFloat16(), "\(rows)x\(columns)")
            XCTAssertEqual(sums, expectedSums, "\(rows)x\(columns)")
        }
    }

    func testRoundingAProductHasTheBitsOfMultiplyingFirst() {
        for (rows, columns) in shapes {
            let dy = randomTensor([rows, columns], seed: 3), factors = randomTensor([rows, columns], seed: 4)
            let product = GELU.backward(dy, derivative: factors)
            let start = randomTensor([columns], seed: 5).data
            var expectedSums = start, sums = start
            addColumnSums(product.data, rows: rows, columns: columns, into: &expectedSums)
            var rounded = [UInt16](repeating: 0, count: dy.count), roundedOnly = rounded
            factors.data.withUnsafeBufferPointer { f in
                roundGradient(dy.data, times: .elements(f.baseAddress!), rows: rows, columns: columns, into: &rounded,
                              addingColumnSumsTo: &sums)
                roundGradient(dy.data, times: .elements(f.baseAddress!), rows: rows, columns: columns,
                              into: &roundedOnly, addingColumnSumsTo: nil)
            }
            XCTAssertEqual(rounded, product.roundedToBFloat16(), "\(rows)x\(columns)")
            XCTAssertEqual(roundedOnly, rounded, "\(rows)x\(columns)")
            XCTAssertEqual(sums, expectedSums, "\(rows)x\(columns)")
        }
    }

    func testRoundingRowsScaledByADropPathMaskHasTheBitsOfScalingFirst() {
        for (rows, columns) in shapes {
            let dy = randomTensor([rows, columns], seed: 6)
            let mask = (0..<rows).map { $0 % 3 == 0 ? Float(0) : Float(1 / 0.9) }  // one "sample" per row
            let scaled = DropPath.scaled(dy, by: mask)
            let start = randomTensor([columns], seed: 7).data
            var expectedSums = start, sums = start
            addColumnSums(scaled.data, rows: rows, columns: columns, into: &expectedSums)
            var rounded = [UInt16](repeating: 0, count: dy.count), roundedOnly = rounded
            mask.withUnsafeBufferPointer { m in
                roundGradient(dy.data, times: .rows(m.baseAddress!), rows: rows, columns: columns, into: &rounded,
                              addingColumnSumsTo: &sums)
                roundGradient(dy.data, times: .rows(m.baseAddress!), rows: rows, columns: columns,
                              into: &roundedOnly, addingColumnSumsTo: nil)
            }
            XCTAssertEqual(rounded, scaled.roundedToBFloat16(), "\(rows)x\(columns)")
            XCTAssertEqual(roundedOnly, rounded, "\(rows)x\(columns)")
            XCTAssertEqual(sums, expectedSums, "\(rows)x\(columns)")
        }
    }
}
