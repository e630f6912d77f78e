/// Rounds float32 values to bfloat16 (round to nearest even), stored as raw UInt16 bits.
/// NaN is not expected in training data; it would round to infinity's neighbourhood.
public func convertToBFloat16(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt16>,
                              count: Int) {
    let raw = UnsafeRawPointer(source).assumingMemoryBound(to: UInt32.self)
    parallelRanges(count, minimumPerWorker: 1 << 16) { range in
        bfloat16Kernel(raw + range.lowerBound, destination + range.lowerBound, range.count)
    }
}

@inline(never)
func bfloat16Kernel(_ bits: UnsafePointer<UInt32>, _ destination: UnsafeMutablePointer<UInt16>, _ count: Int) {
    for i in 0..<count {
        let value = bits[i]
        let rounding = 0x7FFF &+ ((value >> 16) & 1)
        destination[i] = UInt16(truncatingIfNeeded: (value &+ rounding) >> 16)
    }
}

/// One value rounded as `bfloat16Kernel` rounds it, for kernels that produce bf16 directly.
@inline(__always)
func roundedToBFloat16(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
}

/// The float32 value of each bfloat16 (exact).
public func convertFromBFloat16(_ source: UnsafePointer<UInt16>, _ destination: UnsafeMutablePointer<Float>,
                                count: Int) {
    for i in 0..<count {
        destination[i] = Float(bitPattern: UInt32(source[i]) << 16)
    }
}

extension Array where Element == UInt16 {
    /// Room for `count` bf16 values that the caller writes in full before reading (no zero fill:
    /// these buffers are activation-sized and written at once).
    init(uninitializedBFloat16 count: Int) {
        self.init(unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
