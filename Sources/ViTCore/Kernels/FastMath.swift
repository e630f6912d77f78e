// Branch-free exp and erf that the compiler can vectorise: libm's expf/erff are
// opaque calls, and GELU and softmax evaluate millions of them per training step.

/// exp(x) with relative error below 2e-7 for x in [-87, 88]; clamps outside.
@inline(__always)
public func fastExp(_ x: Float) -> Float {
    let clamped = min(max(x, -87.0), 88.0)
    // 2^n * exp(r) with n = round(x / ln 2) and |r| <= ln2 / 2.
    let shifter: Float = 12_582_912.0  // 1.5 * 2^23: adding it rounds to an integer
    let scaled = clamped * 1.442_695_04 + shifter
    let n = scaled - shifter
    let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_6e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_1e-1
    p = p * r * r + r + 1
    let exponentBits = (scaled.bitPattern &- shifter.bitPattern) &+ 127
    return p * Float(bitPattern: exponentBits << 23)
}

/// erf(x) with absolute error below 2e-7: Numerical Recipes' erfc Chebyshev fit
/// (fractional error under 1.2e-7), whose only transcendental is the exp above.
@inline(__always)
public func fastErf(_ x: Float) -> Float {
    let a = min(abs(x), 9.0)
    // erfc(a) = t * exp(-a^2 + P(t)) with t = 1 / (1 + a/2).
    let t = 1 / (1 + 0.5 * a)
    var p: Float = 0.170_872_77
    p = p * t - 0.822_152_23
    p = p * t + 1.488_515_87
    p = p * t - 1.135_203_98
    p = p * t + 0.278_868_07
    p = p * t - 0.186_288_06
    p = p * t + 0.096_784_18
    p = p * t + 0.374_091_96
    p = p * t + 1.000_023_68
    p = p * t - 1.265_512_23
    let erfcA = t * fastExp(-a * a + p)
    let magnitude = 1 - erfcA
    return x < 0 ? -magnitude : magnitude
}
