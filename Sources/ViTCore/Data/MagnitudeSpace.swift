/// The magnitude of each operation at bin i of n, as torchvision's _augmentation_space tables:
/// linspace(0, top, n)[i] for the signed ones, 8 - round(i / ((n - 1) / bitsRemoved)) bits for
/// Posterize, linspace(255, 0, n)[i] for Solarize.
public struct MagnitudeSpace: Equatable, Sendable {
    public var shear: Float
    public var translate: Float
    public var rotate: Float
    public var enhance: Float
    public var bitsRemoved: Float

    /// AutoAugment's and RandAugment's: translation up to 150/331 of the side (14.5 pixels at 32).
    public static func standard(side: Int) -> MagnitudeSpace {
        MagnitudeSpace(shear: 0.3, translate: 150 / 331 * Float(side), rotate: 30, enhance: 0.9, bitsRemoved: 4)
    }

    /// TrivialAugmentWide's.
    public static let wide = MagnitudeSpace(shear: 0.99, translate: 32, rotate: 135, enhance: 0.99, bitsRemoved: 6)

    public func magnitude(_ operation: ImageOperation, bin: Int, bins: Int) -> Float {
        precondition(bins > 1 && (0..<bins).contains(bin), "MagnitudeSpace: bin \(bin) is not in 0..<\(bins)")
        let fraction = Float(bin) / Float(bins - 1)
        switch operation {
        case .shearX, .shearY: return shear * fraction
        case .translateX, .translateY: return translate * fraction
        case .rotate: return rotate * fraction
        case .brightness, .color, .contrast, .sharpness: return enhance * fraction
        // torch.round rounds halves to even.
        case .posterize: return 8 - (Float(bin) / (Float(bins - 1) / bitsRemoved)).rounded(.toNearestOrEven)
        case .solarize: return 255 * (1 - fraction)
        case .identity, .autoContrast, .equalize, .invert: return 0
        }
    }
}
