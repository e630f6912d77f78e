import Foundation

/// A small line-and-marker chart written as SVG: axes with ticks, optional log-scale x,
/// series drawn as markers and/or lines, and a legend. Enough for the report's plots.
public struct SVGPlot {
    public enum Marker: String, CaseIterable { case circle, square, triangle, diamond, cross, none }

    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: String
        public var marker: Marker
        public var line: Bool
        public var dashed: Bool = false
        public var labels: [String] = []  // optional text beside each point

        public init(name: String, points: [(x: Double, y: Double)], color: String, marker: Marker, line: Bool) {
            self.name = name
            self.points = points
            self.color = color
            self.marker = marker
            self.line = line
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logX = false
    public var series: [Series] = []
    public var width = 820.0, height = 500.0

    public init(title: String, xLabel: String, yLabel: String, logX: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logX = logX
    }

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                                 "#17becf", "#7f7f7f", "#bcbd22"]

    /// The colour and marker of the i-th series: no two of the first 50 look alike (the marker
    /// moves on by one each time the colours wrap around).
    public static func style(_ i: Int) -> (color: String, marker: Marker) {
        (palette[i % palette.count], Marker.allCases[(i + i / palette.count) % 5])
    }

    private let margin = (left: 78.0, right: 250.0, top: 44.0, bottom: 58.0)

    public func render() -> String {
        let all = series.flatMap(\.points)
        guard !all.isEmpty else { return emptyChart() }
        let (xMin, xMax) = xRange(all.map(\.x)), (yMin, yMax) = yRange(all.map(\.y))
        let plotWidth = width - margin.left - margin.right, plotHeight = height - margin.top - margin.bottom
        func px(_ x: Double) -> Double {
            let t = logX ? (log10(x) - log10(xMin)) / (log10(xMax) - log10(xMin)) : (x - xMin) / (xMax - xMin)
            return margin.left + t * plotWidth
        }
        func py(_ y: Double) -> Double { margin.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight }

        var svg = [header()]
        // Centred over the plot; a title too long for that moves toward the middle of the image and
        // then shrinks (about 0.6 em per character of bold sans-serif), so that no end is cut off.
        let titleSize = max(8, min(17, Int((width - 24) / (0.6 * Double(max(title.count, 1))))))
        let titleWidth = 0.6 * Double(titleSize * title.count)
        let titleCentre = min(max(margin.left + plotWidth / 2, 12 + titleWidth / 2), width - 12 - titleWidth / 2)
        svg.append(text(titleCentre, 26, title, size: titleSize, anchor: "middle", bold: true))
        svg.append("<rect x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#444\"/>")
        let xStep = niceStep((xMax - xMin) / 5), yStep = niceStep((yMax - yMin) / 5)
        for tick in xTicks(xMin, xMax) {
            let x = px(tick)
            svg.append("<line x1=\"\(f(x))\" y1=\"\(f(margin.top))\" x2=\"\(f(x))\" y2=\"\(f(margin.top + plotHeight))\" stroke=\"#e4e4e4\"/>")
            svg.append(text(x, margin.top + plotHeight + 18, tickLabel(tick, step: logX ? tick : xStep), size: 12,
                            anchor: "middle"))
        }
        for tick in linearTicks(yMin, yMax) {
            let y = py(tick)
            svg.append("<line x1=\"\(f(margin.left))\" y1=\"\(f(y))\" x2=\"\(f(margin.left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e4e4e4\"/>")
            svg.append(text(margin.left - 8, y + 4, tickLabel(tick, step: yStep), size: 12, anchor: "end"))
        }
        svg.append(text(margin.left + plotWidth / 2, height - 14, xLabel, size: 14, anchor: "middle"))
        svg.append("<text x=\"18\" y=\"\(f(margin.top + plotHeight / 2))\" font-size=\"14\" text-anchor=\"middle\" "
                   + "font-family=\"sans-serif\" transform=\"rotate(-90 18 \(f(margin.top + plotHeight / 2)))\">\(escape(yLabel))</text>")
        for s in series {
            if s.line && s.points.count > 1 {
                let path = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                svg.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\""
                           + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>")
            }
            for point in s.points { svg.append(marker(s.marker, px(point.x), py(point.y), s.color)) }
        }
        // Labels go on after every marker, placed all together so that none overlaps another.
        let labelled = series.flatMap { s in
            s.points.enumerated().map { i, point in (label: i < s.labels.count ? s.labels[i] : "", x: px(point.x), y: py(point.y)) }
        }
        let placements = LabelPlacement(fontSize: 10).place(
            labelled.map(\.label), at: labelled.map { ($0.x, $0.y) },
            bounds: .init(x: margin.left, y: margin.top, width: plotWidth, height: plotHeight))
        for (item, placed) in zip(labelled, placements) {
            guard let placed else { continue }
            svg.append(text(placed.x, placed.y, item.label, size: 10, anchor: placed.anchor))
        }
        svg.append(legend(x: width - margin.right + 16, y: margin.top + 8))
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    // MARK: pieces

    private func header() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
            + "viewBox=\"0 0 \(f(width)) \(f(height))\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    }

    private func emptyChart() -> String {
        header() + "\n" + text(width / 2, height / 2, "\(title): no data", size: 16, anchor: "middle") + "\n</svg>\n"
    }

    private func legend(x: Double, y: Double) -> String {
        var items: [String] = []
        for (i, s) in series.enumerated() {
            let rowY = y + Double(i) * 22
            if s.line {
                items.append("<line x1=\"\(f(x))\" y1=\"\(f(rowY))\" x2=\"\(f(x + 24))\" y2=\"\(f(rowY))\" stroke=\"\(s.color)\" stroke-width=\"2\""
                             + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>")
            }
            items.append(marker(s.marker, x + 12, rowY, s.color))
            items.append(text(x + 32, rowY + 4, s.name, size: 12, anchor: "start"))
        }
        return items.joined(separator: "\n")
    }

    private func marker(_ kind: Marker, _ x: Double, _ y: Double, _ color: String) -> String {
        let r = 5.0
        switch kind {
        case .none: return ""
        case .circle: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(color)\"/>"
        case .square: return "<rect x=\"\(f(x - r))\" y=\"\(f(y - r))\" width=\"\(f(2 * r))\" height=\"\(f(2 * r))\" fill=\"\(color)\"/>"
        case .triangle:
            return "<polygon points=\"\(f(x)),\(f(y - r - 1)) \(f(x - r - 1)),\(f(y + r)) \(f(x + r + 1)),\(f(y + r))\" fill=\"\(color)\"/>"
        case .diamond:
            return "<polygon points=\"\(f(x)),\(f(y - r - 1)) \(f(x + r + 1)),\(f(y)) \(f(x)),\(f(y + r + 1)) \(f(x - r - 1)),\(f(y))\" fill=\"\(color)\"/>"
        case .cross:
            return "<path d=\"M\(f(x - r)) \(f(y - r)) L\(f(x + r)) \(f(y + r)) M\(f(x - r)) \(f(y + r)) L\(f(x + r)) \(f(y - r))\" stroke=\"\(color)\" stroke-width=\"2.5\"/>"
        }
    }

    private func text(_ x: Double, _ y: Double, _ content: String, size: Int, anchor: String, bold: Bool = false) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" font-family=\"sans-serif\""
            + (bold ? " font-weight=\"bold\"" : "") + ">\(escape(content))</text>"
    }

    // MARK: scales

    private func xRange(_ values: [Double]) -> (Double, Double) {
        if logX {
            let positive = values.filter { $0 > 0 }
            let low = pow(10, floor(log10(positive.min() ?? 1))), high = pow(10, ceil(log10(positive.max() ?? 10)))
            return (low, high > low ? high : low * 10)
        }
        return padded(values)
    }

    private func yRange(_ values: [Double]) -> (Double, Double) { padded(values) }

    private func padded(_ values: [Double]) -> (Double, Double) {
        let low = values.min()!, high = values.max()!
        if low == high { return (low - 1, high + 1) }
        let step = niceStep((high - low) / 5)
        return (floor(low / step) * step, ceil(high / step) * step)
    }

    private func xTicks(_ low: Double, _ high: Double) -> [Double] {
        guard logX else { return linearTicks(low, high) }
        // 1, 2 and 5 per decade while they fit; past two decades the labels would collide.
        let factors: [Double] = log10(high / low) > 2.01 ? [1] : [1, 2, 5]
        var ticks: [Double] = []
        var decade = low
        while decade <= high * 1.0001 {
            for factor in factors where decade * factor <= high * 1.0001 { ticks.append(decade * factor) }
            decade *= 10
        }
        return ticks
    }

    private func linearTicks(_ low: Double, _ high: Double) -> [Double] {
        let step = niceStep((high - low) / 5)
        return stride(from: ceil(low / step) * step, through: high + step * 1e-6, by: step).map { $0 }
    }

    private func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude
    }

    /// As many decimals as the tick step needs: 25, 25.5, 0.25; thousands as k and M.
    private func tickLabel(_ value: Double, step: Double) -> String {
        if abs(value) >= 1_000_000 { return trimmed(value / 1_000_000, step: step / 1_000_000) + "M" }
        if abs(value) >= 1_000 { return trimmed(value / 1_000, step: step / 1_000) + "k" }
        return trimmed(value, step: step)
    }

    private func trimmed(_ value: Double, step: Double) -> String {
        if value == value.rounded() && step >= 1 { return String(Int(value)) }
        let decimals = max(0, min(4, Int(-floor(log10(step)))))
        return String(format: "%.\(decimals)f", value)
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
