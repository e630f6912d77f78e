// The enhance operations of torchvision on uint8 tensors (PIL's ImageEnhance): each blends the
// image with a degenerate image, factor * image + (1 - factor) * degenerate, clamped to [0, 255]
// and truncated as torchvision's _blend does (a cast, not a rounding). A factor of 1 keeps the
// image, 0 gives the degenerate image, above 1 extrapolates away from it.
extension ByteImage {
    /// The degenerate image is black.
    public func brightness(_ factor: Float) {
        map { Self.blend($0, 0, factor) }
    }

    /// Saturation: the degenerate image is the pixel's grey level.
    public func color(_ factor: Float) {
        let r = plane(0), g = plane(1), b = plane(2)
        for i in 0..<planeCount {
            let grey = Float(Self.grey(r[i], g[i], b[i]))
            (r[i], g[i], b[i]) = (Self.blend(r[i], grey, factor), Self.blend(g[i], grey, factor), Self.blend(b[i], grey, factor))
        }
    }

    /// The degenerate image is the mean grey level of the whole image (of the truncated greys).
    public func contrast(_ factor: Float) {
        let r = plane(0), g = plane(1), b = plane(2)
        var sum = 0
        for i in 0..<planeCount { sum += Int(Self.grey(r[i], g[i], b[i])) }
        let mean = Float(sum) / Float(planeCount)
        map { Self.blend($0, mean, factor) }
    }

    /// The degenerate image is the image smoothed by [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 and
    /// rounded, inside a one-pixel border that keeps the image; images of side 2 or less are kept.
    public func sharpness(_ factor: Float) {
        let h = height, w = width
        guard h > 2 && w > 2 else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: planeCount) { original in
            for c in 0..<Self.channels {
                let p = plane(c)
                _ = original.initialize(from: UnsafeBufferPointer(start: p, count: planeCount))
                for y in 1..<(h - 1) {
                    for x in 1..<(w - 1) {
                        let i = y * w + x
                        var sum = 4 * Int(original[i])
                        for dy in -1...1 { for dx in -1...1 { sum += Int(original[i + dy * w + dx]) } }
                        // sum / 13 is never a half, so rounding mode does not matter.
                        let smooth = (Float(sum) / 13).rounded()
                        p[i] = Self.blend(original[i], smooth, factor)
                    }
                }
            }
        }
    }

    /// torchvision's rgb_to_grayscale for uint8: the ITU-R 601 weights (0.2989, not 0.299),
    /// summed in float and truncated.
    static func grey(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let red: Float = 0.2989 * Float(r), green: Float = 0.587 * Float(g), blue: Float = 0.114 * Float(b)
        return UInt8(red + green + blue)
    }

    static func blend(_ value: UInt8, _ degenerate: Float, _ factor: Float) -> UInt8 {
        let mixed: Float = factor * Float(value) + (1 - factor) * degenerate
        return UInt8(min(max(mixed, 0), 255))
    }
}
