import XCTest
@testable import ViTReports

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

    func testALongTitleShrinksAndStaysInsideTheImage() throws {
        let title = String(repeating: "Distillation on R = 100 ", count: 4)  // 96 characters
        var plot = SVGPlot(title: title, xLabel: "x", yLabel: "y")
        plot.series = [SVGPlot.Series(name: "a", points: [(1, 2), (2, 3)], color: "#000", marker: .circle, line: true)]
        let svg = plot.render()
        let line = try XCTUnwrap(svg.split(separator: "\n").first { $0.contains(">\(title)<") })
        let x = try XCTUnwrap(Double(line.split(separator: "\"")[1])), size = try XCTUnwrap(Int(line.split(separator: "\"")[5]))
        XCTAssertLessThan(size, 17)
        let halfWidth = 0.6 * Double(size * title.count) / 2
        XCTAssertGreaterThanOrEqual(x - halfWidth, 0)
        XCTAssertLessThanOrEqual(x + halfWidth, 820)
        plot.title = "short"
        XCTAssertTrue(plot.render().contains("font-size=\"17\""))
    }

    func testTheFirstFiftySeriesStylesAreAllDifferent() {
        let styles = (0..<50).map { "\(SVGPlot.style($0).color) \(SVGPlot.style($0).marker)" }
        XCTAssertEqual(Set(styles).count, 50)
    }

    func testEmptyPlotSaysSoInsteadOfFailing() {
        XCTAssertTrue(SVGPlot(title: "curves", xLabel: "x", yLabel: "y").render().contains("curves: no data"))
    }

    /// Every kind of plot the reports draw goes through rsvg-convert (librsvg, what GNOME and
    /// many Markdown renderers use) and comes out as a PNG: the SVG is well-formed and drawable.
    func testPlotsRenderToPNGWithRsvgConvert() throws {
        guard let converter = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("rsvg-convert is not installed (Debian: librsvg2-bin)")
        }
        var scatter = SVGPlot(title: "Accuracy & size <test>", xLabel: "parameters", yLabel: "accuracy", logX: true)
        var points = SVGPlot.Series(name: "student", points: [(500_000, 56), (498_000, 56.1), (250_000, 55)],
                                    color: "#000", marker: .square, line: false)
        points.labels = ["student", "student-int8", "student-pruned-s50"]
        var front = SVGPlot.Series(name: "front", points: [(250_000, 55), (500_000, 56.1)], color: "#555",
                                   marker: .none, line: true)
        front.dashed = true
        scatter.series = [points, front]
        var curves = SVGPlot(title: "curves", xLabel: "epoch", yLabel: "accuracy")
        curves.series = [SVGPlot.Series(name: "teacher", points: (1...30).map { (Double($0), Double($0) * 2) },
                                        color: "#123", marker: .none, line: true)]
        for (name, plot) in [("scatter", scatter), ("curves", curves), ("empty", SVGPlot(title: "e", xLabel: "x", yLabel: "y"))] {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let svg = folder + "/\(name).svg", png = folder + "/\(name).png"
            try plot.render().write(toFile: svg, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: converter)
            process.arguments = ["--format", "png", "--output", png, svg]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, name)
            let head = try XCTUnwrap(FileManager.default.contents(atPath: png), name).prefix(8)
            XCTAssertEqual(Array(head), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(name) is a PNG")
        }
    }
}
