/// A view of one RGB image as three uint8 planes, [3, H, W], changed in place by the
/// AutoAugment-style operations. Any size works so that tests can use 4x4 images; the
/// batch loader hands in 32x32 CIFAR images.
public struct ByteImage {
    public let pixels: UnsafeMutablePointer<UInt8>
    public let height: Int
    public let width: Int

    public static let channels = 3

    public init(_ pixels: UnsafeMutablePointer<UInt8>, height: Int, width: Int) {
        precondition(height > 0 && width > 0, "ByteImage: size must be positive, got \(height)x\(width)")
        (self.pixels, self.height, self.width) = (pixels, height, width)
    }

    public var planeCount: Int { height * width }
    public var count: Int { Self.channels * planeCount }

    /// The plane of channel c (0 red, 1 green, 2 blue).
    func plane(_ c: Int) -> UnsafeMutablePointer<UInt8> { pixels + c * planeCount }

    /// Applies `transform` to every byte (posterize, solarize, invert, lookup tables).
    func map(_ transform: (UInt8) -> UInt8) {
        for i in 0..<count { pixels[i] = transform(pixels[i]) }
    }
}
