import XCTest
@testable import ViTCommands
@testable import ViTStages
@testable import ViTReports

final class SummaryReportTests: XCTestCase {
    func testMarkedSectionIsReplacedAndTheRestKept() throws {
        let text = "# Title\n<!-- results:start -->\nold table\n<!-- results:end -->\nafter\n"
        let filled = try replacingMarkedSection(in: text, marker: "results", with: "| new |")
        XCTAssertEqual(filled, "# Title\n<!-- results:start -->\n| new |\n<!-- results:end -->\nafter\n")
        XCTAssertEqual(try replacingMarkedSection(in: filled, marker: "results", with: "| new |"), filled)
    }

    func testMissingMarkersAreReported() {
        XCTAssertThrowsError(try replacingMarkedSection(in: "no markers", marker: "results", with: "x")) { error in
            XCTAssertEqual("\(error)", "the README has no <!-- results:start --> ... <!-- results:end --> markers to fill")
        }
    }
}
