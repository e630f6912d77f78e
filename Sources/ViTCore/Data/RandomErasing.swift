import Foundation

/// torchvision's RandomErasing on one normalised image [3, H, W]: with `probability`, a box of
/// area fraction uniform in `scale` and aspect (height / width) log-uniform in `ratio` is set to
/// `value` in every channel; ten tries, else the image is kept. The value 0 is torchvision's
/// default, applied after Normalize, so the box reads as the data set's mean colour.
public struct RandomErasing: Equatable, Sendable {
    public var probability: Float
    public var scale: ClosedRange<Float> = 0.02...0.33
    public var ratio: ClosedRange<Float> = 0.3...3.3
    public var value: Float = 0

    /// timm's usual --reprob for vision transformers (torchvision's own default is 0.5).
    public static let defaultProbability: Float = 0.25

    public init(probability: Float = RandomErasing.defaultProbability) {
        self.probability = probability
    }

    /// The box [top, top + height) x [left, left + width), or nil when the image is kept.
    public func box(height imageHeight: Int, width imageWidth: Int,
                    generator: inout SeededGenerator) -> (top: Int, left: Int, height: Int, width: Int)? {
        guard generator.nextUniform() < probability else { return nil }
        let area = Float(imageHeight * imageWidth)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let eraseArea = area * uniform(scale, &generator)
            let aspect = exp(uniform(logRatio, &generator))
            // Python's round() rounds halves to even.
            let h = Int((eraseArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((eraseArea / aspect).squareRoot().rounded(.toNearestOrEven))
            guard h < imageHeight && w < imageWidth else { continue }
            let top = generator.nextInt(below: imageHeight - h + 1)
            let left = generator.nextInt(below: imageWidth - w + 1)
            return (top, left, h, w)
        }
        return nil
    }

    /// image: [channels, height, width] floats, changed in place.
    public func erase(_ image: UnsafeMutablePointer<Float>, channels: Int = 3, height: Int = 32, width: Int = 32,
                      generator: inout SeededGenerator) {
        guard let box = box(height: height, width: width, generator: &generator) else { return }
        for c in 0..<channels {
            for y in box.top ..< box.top + box.height {
                (image + (c * height + y) * width + box.left).update(repeating: value, count: box.width)
            }
        }
    }

    private func uniform(_ range: ClosedRange<Float>, _ generator: inout SeededGenerator) -> Float {
        range.lowerBound + generator.nextUniform() * (range.upperBound - range.lowerBound)
    }
}
