/// Images and their labels in the CIFAR-10 byte layout, kept as bytes until a batch is built
/// (150 MB as bytes, 600 MB as floats).
public struct LabeledImages: Equatable, Sendable {
    /// count * 3072 bytes: per image the red, green and blue 32x32 planes, each row-major.
    public var pixels: [UInt8]
    /// count labels in 0..<10.
    public var labels: [UInt8]

    public static let side = 32
    public static let channels = 3
    public static let imageBytes = channels * side * side

    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]

    public init(pixels: [UInt8], labels: [UInt8]) {
        precondition(pixels.count == labels.count * Self.imageBytes,
                     "LabeledImages: \(labels.count) labels need \(labels.count * Self.imageBytes) pixel bytes, got \(pixels.count)")
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        var kept = [UInt8]()
        kept.reserveCapacity(indices.count * Self.imageBytes)
        for i in indices {
            kept.append(contentsOf: pixels[i * Self.imageBytes ..< (i + 1) * Self.imageBytes])
        }
        return LabeledImages(pixels: kept, labels: indices.map { labels[$0] })
    }
}
