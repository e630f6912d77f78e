/// Places point labels so that no two overlap and none covers another point's marker: each label
/// tries a few spots around its point (upper right first, then lower right, left, further up and
/// down) and takes the first free one; a label with no free spot is left out rather than printed
/// over another (the table beside every plot names each point anyway).
struct LabelPlacement {
    struct Box: Equatable {
        var x: Double, y: Double, width: Double, height: Double  // top-left corner, in pixels

        func overlaps(_ other: Box) -> Bool {
            x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
        }
    }

    /// A placed label: where its text starts (the SVG baseline point) and its anchor.
    struct Placed: Equatable {
        var x: Double, y: Double, anchor: String, box: Box
    }

    let fontSize: Double
    /// Average glyph width of a sans-serif font as a share of the font size: errs wide.
    let glyphWidth = 0.62

    /// The labels' places, in the order given; nil where no spot is free.
    /// `points` are marker centres in pixels; `bounds` keeps labels inside the plot area.
    func place(_ labels: [String], at points: [(x: Double, y: Double)], markerRadius: Double = 6,
               bounds: Box) -> [Placed?] {
        var taken = points.map { Box(x: $0.x - markerRadius, y: $0.y - markerRadius, width: 2 * markerRadius,
                                     height: 2 * markerRadius) }
        var result: [Placed?] = []
        for (label, point) in zip(labels, points) {
            guard !label.isEmpty else { result.append(nil); continue }
            let width = Double(label.count) * fontSize * glyphWidth, height = fontSize + 2
            // (dx, dy) of the baseline start from the point, and whether the text runs leftwards.
            let spots: [(Double, Double, Bool)] = [(7, -7, false), (7, 4 + fontSize, false), (-7, -7, true),
                                                   (-7, 4 + fontSize, true), (7, -7 - height, false),
                                                   (7, 4 + fontSize + height, false), (-7, -7 - height, true),
                                                   (-7, 4 + fontSize + height, true)]
            let chosen = spots.lazy.map { dx, dy, leftwards -> Placed in
                let baselineX = point.x + dx, baselineY = point.y + dy
                let box = Box(x: leftwards ? baselineX - width : baselineX, y: baselineY - fontSize,
                              width: width, height: height)
                return Placed(x: baselineX, y: baselineY, anchor: leftwards ? "end" : "start", box: box)
            }.first { candidate in
                candidate.box.x >= bounds.x && candidate.box.x + candidate.box.width <= bounds.x + bounds.width
                    && candidate.box.y >= bounds.y && candidate.box.y + candidate.box.height <= bounds.y + bounds.height
                    && !taken.contains { $0.overlaps(candidate.box) }
            }
            if let chosen { taken.append(chosen.box) }
            result.append(chosen)
        }
        return result
    }
}
