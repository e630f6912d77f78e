import XCTest
@testable import ViTReports

final class LabelPlacementTests: XCTestCase {
    let bounds = LabelPlacement.Box(x: 0, y: 0, width: 600, height: 400)

    func testLabelsOfNearbyPointsDoNotOverlap() {
        // student / student-int8 and a pruned pair: points a few pixels apart, as in accuracy-vs-params.svg.
        let labels = ["student", "student-int8", "student-pruned-s50", "student-pruned-s50-int8"]
        let points: [(x: Double, y: Double)] = [(300, 200), (296, 201), (250, 205), (247, 204)]
        let placed = LabelPlacement(fontSize: 10).place(labels, at: points, bounds: bounds).compactMap { $0 }
        XCTAssertEqual(placed.count, 4, "there is room for all four around the points")
        for i in placed.indices {
            for j in placed.indices where j > i {
                XCTAssertFalse(placed[i].box.overlaps(placed[j].box), "\(labels[i]) overlaps \(labels[j])")
            }
        }
    }

    func testALabelNeverCoversAnotherPointsMarker() {
        let points: [(x: Double, y: Double)] = [(100, 100), (120, 94)]  // the second sits where the first's label would go
        let placed = LabelPlacement(fontSize: 10).place(["a-long-label", ""], at: points, bounds: bounds)
        let marker = LabelPlacement.Box(x: 114, y: 88, width: 12, height: 12)
        XCTAssertNotNil(placed[0])
        XCTAssertFalse(placed[0]!.box.overlaps(marker))
        XCTAssertNil(placed[1], "an empty label is not placed")
    }

    func testALabelWithNoFreeSpotIsLeftOut() {
        let crowd = Array(repeating: "same-place", count: 12)
        let points = Array(repeating: (x: 300.0, y: 200.0), count: 12)
        let placed = LabelPlacement(fontSize: 10).place(crowd, at: points, bounds: bounds)
        let shown = placed.compactMap { $0 }
        XCTAssertLessThan(shown.count, 12)
        XCTAssertGreaterThan(shown.count, 0)
        for i in shown.indices { for j in shown.indices where j > i { XCTAssertFalse(shown[i].box.overlaps(shown[j].box)) } }
    }

    func testLabelsStayInsideThePlot() {
        let placed = LabelPlacement(fontSize: 10).place(["near-the-right-edge"], at: [(595, 5)], bounds: bounds)
        let box = placed[0]!.box
        XCTAssertGreaterThanOrEqual(box.x, 0)
        XCTAssertLessThanOrEqual(box.x + box.width, 600)
        XCTAssertGreaterThanOrEqual(box.y, 0)
        XCTAssertEqual(placed[0]!.anchor, "end")
    }
}
