// What calibration records about one layer's inputs x: [T, in], over all calibration batches.
// Pass 1 keeps the range; percentile calibration adds a pass 2 that fills a histogram over it.

/// Minimum and maximum of every value seen.
public final class ActivationRange {
    public private(set) var minimum = Float.infinity
    public private(set) var maximum = -Float.infinity

    public init() {}

    public func record(_ x: Tensor) {
        guard x.count > 0 else { return }
        let (low, high) = x.data.withUnsafeBufferPointer { rangeOf($0.baseAddress!, count: x.count) }
        minimum = min(minimum, low)
        maximum = max(maximum, high)
    }
}

/// Counts of the values seen in equal bins over a known [minimum, maximum].
public final class ActivationHistogram {
    public let minimum: Float
    public let maximum: Float
    public private(set) var counts: [Int]

    public init(minimum: Float, maximum: Float, bins: Int = 1 << 14) {
        self.minimum = minimum
        self.maximum = maximum
        counts = [Int](repeating: 0, count: bins)
    }

    public func record(_ x: Tensor) {
        let bins = counts.count, width = maximum - minimum
        let perUnit = width > 0 ? Float(bins) / width : 0
        x.data.withUnsafeBufferPointer { values in
            counts.withUnsafeMutableBufferPointer { counts in
                histogramKernel(values.baseAddress!, values.count, minimum, perUnit, counts.baseAddress!, bins)
            }
        }
    }

    /// [value at percentile 100 - p, value at percentile p], each rounded outwards to a bin
    /// edge so that no more than (100 - p)% of the values are clipped on either side.
    public func clippedRange(percentile p: Double) -> (minimum: Float, maximum: Float) {
        let total = counts.reduce(0, +)
        guard total > 0, p < 100 else { return (minimum, maximum) }
        let width = (maximum - minimum) / Float(counts.count)
        let keep = Int((Double(total) * p / 100).rounded(.up))
        var upper = counts.count - 1, cumulative = 0
        for (bin, count) in counts.enumerated() {
            cumulative += count
            if cumulative >= keep { upper = bin; break }
        }
        var lower = 0
        cumulative = 0
        for bin in counts.indices.reversed() {
            cumulative += counts[bin]
            if cumulative >= keep { lower = bin; break }
        }
        return (minimum + Float(lower) * width, min(maximum, minimum + Float(upper + 1) * width))
    }
}

@inline(never)
func histogramKernel(_ x: UnsafePointer<Float>, _ count: Int, _ low: Float, _ perUnit: Float,
                     _ counts: UnsafeMutablePointer<Int>, _ bins: Int) {
    for i in 0..<count {
        let bin = Int(min(max((x[i] - low) * perUnit, 0), Float(bins - 1)))
        counts[bin] += 1
    }
}
