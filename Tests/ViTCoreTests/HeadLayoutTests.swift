import XCTest
@testable import ViTCore

final class HeadLayoutTests: XCTestCase {
    func testGatherPutsEachHeadOfEachPartInItsOwnDenseMatrixRoundedToBFloat16() {
        let (batch, tokens, heads, headWidth, parts) = (2, 3, 2, 4, 3)
        let width = heads * headWidth, rowWidth = parts * width
        let source = randomTensor([batch * tokens * rowWidth], seed: 1).data
        var gathered = [UInt16](repeating: 0, count: source.count)
        gatherHeadsToBFloat16(source, rowWidth: rowWidth, parts: parts, batch: batch, tokens: tokens,
                              heads: heads, headWidth: headWidth, into: &gathered)
        var rounded = [UInt16](repeating: 0, count: source.count)
        convertToBFloat16(source, &rounded, count: source.count)
        for p in 0..<parts { for b in 0..<batch { for h in 0..<heads { for n in 0..<tokens { for d in 0..<headWidth {
            let headMajor = (((p * batch + b) * heads + h) * tokens + n) * headWidth + d
            let tokenMajor = (b * tokens + n) * rowWidth + p * width + h * headWidth + d
            XCTAssertEqual(gathered[headMajor], rounded[tokenMajor], "part \(p) image \(b) head \(h) token \(n) column \(d)")
        } } } } }
    }
}
