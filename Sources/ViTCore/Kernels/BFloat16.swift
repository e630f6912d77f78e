/// Rounds float32 values to bfloat16 (round to nearest even), stored as raw UInt16 bits.
/// NaN is not expected in training data; it would round to infinity's neighbourhood.
public func convertToBFloat16(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt16>,
                              count: Int) {
    parallelRanges(count, minimumPerWorker: 1 << 16) { range in
        let raw = UnsafeRawPointer(source).assumingMemoryBound(to: UInt32.self)
        for i in range {
            let bits = raw[i]
            let rounding = 0x7FFF &+ ((bits >> 16) & 1)
            destination[i] = UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
        }
    }
}

/// The float32 value of each bfloat16 (exact).
public func convertFromBFloat16(_ source: UnsafePointer<UInt16>, _ destination: UnsafeMutablePointer<Float>,
                                count: Int) {
    for i in 0..<count {
        destination[i] = Float(bitPattern: UInt32(source[i]) << 16)
    }
}
