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

/// Runs `body` on a [3, height, width] image holding a copy of `bytes`, then returns its bytes:
/// the tests' way of calling the in-place operations on arrays.
func withByteImage(_ bytes: [UInt8], height: Int, width: Int, _ body: (ByteImage) -> Void) -> [UInt8] {
    precondition(bytes.count == ByteImage.channels * height * width,
                 "withByteImage: \(height)x\(width) needs \(ByteImage.channels * height * width) bytes, got \(bytes.count)")
    var copy = bytes
    copy.withUnsafeMutableBufferPointer { body(ByteImage($0.baseAddress!, height: height, width: width)) }
    return copy
}
