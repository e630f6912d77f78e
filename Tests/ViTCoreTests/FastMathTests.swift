import Foundation
import XCTest
@testable import ViTCore

final class FastMathTests: XCTestCase {
    func testFastExpMatchesFoundationRelatively() {
        var worst: Float = 0
        for i in -8000...8000 {
            let x = Float(i) / 100
            worst = max(worst, abs(fastExp(x) - Foundation.exp(x)) / Foundation.exp(x))
        }
        XCTAssertLessThan(worst, 3e-7)
    }

    func testFastErfMatchesFoundation() {
        var worst: Float = 0
        for i in -6000...6000 {
            let x = Float(i) / 1000
            worst = max(worst, abs(fastErf(x) - Foundation.erf(x)))
        }
        XCTAssertLessThan(worst, 5e-7)
    }
}
