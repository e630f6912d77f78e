// Float activations to u8 for the int8 products, and the range dynamic quantization needs.
//   q = clamp(round(x / scale) + zeroPoint, 0, 255)  (round half to even), so x ~ (q - zeroPoint) * scale
// Both run over raw pointers split across the cores; `ActivationQuantization.quantize` is the
// scalar twin the tests compare against.

/// x: [count] -> q: [count].
public func quantizeToUInt8(_ x: UnsafePointer<Float>, _ q: UnsafeMutablePointer<UInt8>, count: Int,
                            scale: Float, zeroPoint: Int32) {
    let inverse = 1 / scale, offset = Float(zeroPoint)
    parallelRanges(count, minimumPerWorker: 1 << 15) { range in
        let i = range.lowerBound
        quantizeUInt8Kernel(x + i, q + i, range.count, inverse, offset)
    }
}

// The clamped value is a whole number in [0, 255]; adding 1.5 * 2^23 puts it in the low bits
// of the float's pattern. This replaces `UInt8(Float)`, whose range check (kept in release
// builds) stopped the loop from vectorising: int8 inference ran 20-26% slower with it.
private let lowBitsMagic: Float = 12_582_912

@inline(never)
func quantizeUInt8Kernel(_ x: UnsafePointer<Float>, _ q: UnsafeMutablePointer<UInt8>, _ count: Int,
                         _ inverse: Float, _ offset: Float) {
    let scale = SIMD8<Float>(repeating: inverse), shift = SIMD8<Float>(repeating: offset)
    let low = SIMD8<Float>(repeating: 0), high = SIMD8<Float>(repeating: 255)
    let magic = SIMD8<Float>(repeating: lowBitsMagic)
    var i = 0
    while i + 8 <= count {
        // Masked replaces, not `clamped`: that calls the standard library's generic pointwise
        // min and max out of line (measured: 16% of int8 inference).
        var shifted = (load8(x + i) * scale).rounded(.toNearestOrEven) + shift
        shifted.replace(with: low, where: shifted .< low)
        shifted.replace(with: high, where: shifted .> high)
        let bits = unsafeBitCast(shifted + magic, to: SIMD8<UInt32>.self)
        UnsafeMutableRawPointer(q + i).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: bits), as: SIMD8<UInt8>.self)
        i += 8
    }
    while i < count {
        let shifted = min(max((x[i] * inverse).rounded(.toNearestOrEven) + offset, 0), 255)
        q[i] = UInt8(truncatingIfNeeded: (shifted + lowBitsMagic).bitPattern)
        i += 1
    }
}

/// The smallest and largest of x[0..<count] (count > 0), both cores.
public func rangeOf(_ x: UnsafePointer<Float>, count: Int) -> (minimum: Float, maximum: Float) {
    let workers = count >= 1 << 16 ? workerCount : 1
    var partial = [(Float, Float)](repeating: (.infinity, -.infinity), count: workers)
    partial.withUnsafeMutableBufferPointer { results in
        let chunk = (count + workers - 1) / workers
        parallelWorkers(workers) { worker in
            let start = min(count, worker * chunk), end = min(count, start + chunk)
            if start < end { results[worker] = rangeKernel(x + start, end - start) }
        }
    }
    return (partial.map(\.0).min()!, partial.map(\.1).max()!)
}

@inline(never)
func rangeKernel(_ x: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
    var low = SIMD8<Float>(repeating: .infinity), high = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i + 8 <= count {
        let v = load8(x + i)
        low.replace(with: v, where: v .< low)
        high.replace(with: v, where: v .> high)
        i += 8
    }
    var (minimum, maximum) = (low.min(), high.max())
    while i < count { minimum = min(minimum, x[i]); maximum = max(maximum, x[i]); i += 1 }
    return (minimum, maximum)
}
