// Reductions with eight explicit lanes: LLVM will not reorder a float sum by itself, so a
// plain loop stays scalar. The lane order makes results differ from a serial sum by rounding only.

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func sumOf(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= count { lanes += load8(p + i); i += 8 }
    var total = lanes.sum()
    while i < count { total += p[i]; i += 1 }
    return total
}

@inline(__always)
func maximumOf(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i + 8 <= count { let v = load8(p + i); lanes.replace(with: v, where: v .> lanes); i += 8 }
    var best = lanes.max()
    while i < count { best = max(best, p[i]); i += 1 }
    return best
}

@inline(__always)
func dotOf(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= count { lanes += load8(a + i) * load8(b + i); i += 8 }
    var total = lanes.sum()
    while i < count { total += a[i] * b[i]; i += 1 }
    return total
}

/// sum((p - centre)^2)
@inline(__always)
func centredSquaresOf(_ p: UnsafePointer<Float>, _ count: Int, centre: Float) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    let c = SIMD8<Float>(repeating: centre)
    var i = 0
    while i + 8 <= count { let d = load8(p + i) - c; lanes += d * d; i += 8 }
    var total = lanes.sum()
    while i < count { let d = p[i] - centre; total += d * d; i += 1 }
    return total
}
