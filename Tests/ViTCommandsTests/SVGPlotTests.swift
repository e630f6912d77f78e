import XCTest
@testable import ViTCommands

final class SVGPlotTests: XCTestCase {
    func testLogScalePlotHasDecadeTicksLegendAndOneMarkerPerPoint() {
        var plot = SVGPlot(title: "t", xLabel: "parameters", yLabel: "accuracy", logX: true)
        plot.series = [SVGPlot.Series(name: "teacher", points: [(3_000_000, 50)], color: "#000", marker: .circle, line: false),
                       SVGPlot.Series(name: "pruned", points: [(50_000, 40), (200_000, 45)], color: "#111",
                                      marker: .triangle, line: false)]
        let svg = plot.render()
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        for label in [">10k<", ">100k<", ">1M<", ">10M<", ">teacher<", ">pruned<", ">parameters<"] {
            XCTAssertTrue(svg.contains(label), label)
        }
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 2)  // the point and its legend entry
        XCTAssertEqual(svg.components(separatedBy: "<polygon").count - 1, 3)
    }

    func testEmptyPlotSaysSoInsteadOfFailing() {
        XCTAssertTrue(SVGPlot(title: "curves", xLabel: "x", yLabel: "y").render().contains("curves: no data"))
    }
}
