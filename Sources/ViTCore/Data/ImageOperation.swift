/// The operations of torchvision's AutoAugment, RandAugment and TrivialAugmentWide, with the
/// meaning torchvision's _apply_op gives a magnitude: a shear factor, a shift in pixels
/// (truncated), an angle in degrees, an enhance factor minus one, a bit count, a threshold.
public enum ImageOperation: String, CaseIterable, Sendable {
    case identity, shearX, shearY, translateX, translateY, rotate
    case brightness, color, contrast, sharpness, posterize, solarize
    case autoContrast, equalize, invert

    public func apply(to image: ByteImage, magnitude: Float, fill: UInt8 = 0) {
        switch self {
        case .identity: break
        case .shearX: image.shearX(magnitude, fill: fill)
        case .shearY: image.shearY(magnitude, fill: fill)
        case .translateX: image.translateX(Int(magnitude), fill: fill)
        case .translateY: image.translateY(Int(magnitude), fill: fill)
        case .rotate: image.rotate(magnitude, fill: fill)
        case .brightness: image.brightness(1 + magnitude)
        case .color: image.color(1 + magnitude)
        case .contrast: image.contrast(1 + magnitude)
        case .sharpness: image.sharpness(1 + magnitude)
        case .posterize: image.posterize(bits: Int(magnitude))
        case .solarize: image.solarize(threshold: magnitude)
        case .autoContrast: image.autoContrast()
        case .equalize: image.equalize()
        case .invert: image.invert()
        }
    }

    /// Whether the policies flip the magnitude's sign with a coin (the geometric and enhance ones).
    public var isSigned: Bool {
        switch self {
        case .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color, .contrast, .sharpness: true
        default: false
        }
    }

    /// Whether the operation reads a magnitude at all (and so a policy draws one for it).
    public var hasMagnitude: Bool {
        switch self {
        case .identity, .autoContrast, .equalize, .invert: false
        default: true
        }
    }
}
