/// Asymmetric u8 quantization of a layer's input: x ~ (q - zeroPoint) * scale, q in 0...255.
/// The range always contains 0, so zero (padding, pruned channels, ReLU-like tails) is exact.
public struct ActivationQuantization: Equatable, Codable, Sendable {
    public var scale: Float
    public var zeroPoint: Int32

    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The 256 levels spread over [min(minimum, 0), max(maximum, 0)]; a range of width 0 gets
    /// scale 1 (anything non-zero works: every input is then 0).
    public init(minimum: Float, maximum: Float) {
        let low = min(minimum, 0), high = max(maximum, 0)
        let width = high - low
        scale = width > 0 && width.isFinite ? width / 255 : 1
        zeroPoint = Int32(min(max((-low / scale).rounded(.toNearestOrEven), 0), 255))
    }

    /// The quantization of one batch's own range (dynamic mode).
    public init(rangeOf x: UnsafePointer<Float>, count: Int) {
        let (minimum, maximum) = count > 0 ? ViTCore.rangeOf(x, count: count) : (0, 0)
        self.init(minimum: minimum, maximum: maximum)
    }

    /// One value, the scalar twin of `quantizeToUInt8`.
    public func quantize(_ x: Float) -> UInt8 {
        UInt8(min(max((x * (1 / scale)).rounded(.toNearestOrEven) + Float(zeroPoint), 0), 255))
    }

    public func dequantize(_ q: UInt8) -> Float {
        Float(Int32(q) - zeroPoint) * scale
    }
}
