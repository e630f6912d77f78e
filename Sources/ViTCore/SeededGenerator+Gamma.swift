import Foundation

// Beta draws for Mixup and CutMix's lambda, built from Gamma draws so that every random number
// still comes from the one seeded stream.
extension SeededGenerator {
    /// Gamma(shape, 1) by Marsaglia and Tsang (2000); a shape below 1 is boosted to shape + 1
    /// and scaled by U^(1/shape), their recipe for small shapes.
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0, "nextGamma: shape must be positive, got \(shape)")
        if shape < 1 {
            let u = max(Double(next() >> 11) * 0x1.0p-53, 1e-300)
            return nextGamma(shape: shape + 1) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = Double(nextNormal())
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = Double(next() >> 11) * 0x1.0p-53
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Beta(a, b) as X / (X + Y) for X ~ Gamma(a), Y ~ Gamma(b).
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x + y > 0 ? x / (x + y) : 0.5
    }
}
