// The tone operations of torchvision on uint8 tensors (PIL's ImageOps), each per channel.
extension ByteImage {
    /// Keeps the top `bits` bits of every byte.
    public func posterize(bits: Int) {
        precondition((0...8).contains(bits), "posterize: bits must be in 0...8, got \(bits)")
        let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        map { $0 & mask }
    }

    /// Inverts every byte at or above `threshold`.
    public func solarize(threshold: Float) {
        map { Float($0) >= threshold ? 255 - $0 : $0 }
    }

    public func invert() { map { 255 - $0 } }

    /// Stretches each channel linearly so that its minimum becomes 0 and its maximum 255,
    /// in float32 and truncated as torchvision does; a constant channel is kept.
    public func autoContrast() {
        for c in 0..<Self.channels {
            let p = UnsafeMutableBufferPointer(start: plane(c), count: planeCount)
            let low = p.min()!, high = p.max()!
            guard high > low else { continue }
            let minimum = Float(low), scale = 255 / (Float(high) - minimum)
            for i in p.indices { p[i] = UInt8(min((Float(p[i]) - minimum) * scale, 255)) }
        }
    }

    /// Histogram equalisation of each channel, as PIL's ImageOps.equalize and torchvision's
    /// _scale_channel: step = (pixels outside the last occupied level) / 255, and level v maps to
    /// (pixels below v + step / 2) / step, in integers. A channel with step 0 is kept.
    public func equalize() {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 256) { histogram in
            for c in 0..<Self.channels {
                let p = UnsafeMutableBufferPointer(start: plane(c), count: planeCount)
                histogram.initialize(repeating: 0)
                for v in p { histogram[Int(v)] += 1 }
                let last = histogram.lastIndex { $0 > 0 }!
                let step = (planeCount - histogram[last]) / 255
                guard step > 0 else { continue }
                // Turn the histogram into the table in place: entry v needs the count below v.
                var below = 0
                for v in 0..<256 {
                    let count = histogram[v]
                    histogram[v] = min((below + step / 2) / step, 255)
                    below += count
                }
                for i in p.indices { p[i] = UInt8(histogram[Int(p[i])]) }
            }
        }
    }
}
