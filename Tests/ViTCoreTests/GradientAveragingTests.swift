import XCTest
@testable import ViTCore

/// Stands in for the other ranks: adds their buffer to this rank's, as an all-reduce would.
private final class TwoRanks: ProcessGroup {
    let other: [Float]
    init(other: [Float]) { self.other = other }
    var rank: Int { 0 }
    var size: Int { 2 }
    func sum(_ values: inout [Float]) { for i in values.indices { values[i] += other[i] } }
    func sum(_ values: inout [Double]) { for i in values.indices { values[i] += Double(other[i]) } }
}

final class GradientAveragingTests: XCTestCase {
    func testGradientsBecomeTheShareWeightedSumInOneBufferWithTheFiguresBehind() {
        let a = Parameter(name: "a", value: Tensor(zeros: [2]), decays: false), b = Parameter(name: "b", value: Tensor(zeros: [1]), decays: false)
        a.gradient = Tensor(shape: [2], data: [4, 8])
        b.gradient = Tensor(shape: [1], data: [2])
        // The other rank held 1 of 4 rows and sends its share-weighted gradients and its figures.
        let group = TwoRanks(other: [0.25 * 1, 0.25 * 2, 0.25 * 3, 10, 1])
        let figures = group.averageGradients([a, b], share: 0.75, figures: [5, 2])
        XCTAssertEqual(a.gradient.data, [3.25, 6.5])
        XCTAssertEqual(b.gradient.data, [2.25])
        XCTAssertEqual(figures, [15, 3])
    }
}
