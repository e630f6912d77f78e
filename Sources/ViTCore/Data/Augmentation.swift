import Foundation

/// The training-time augmentations, named as on the command line.
public enum Augmentation: String, Codable, CaseIterable, Sendable {
    /// RandomCrop(32, padding=4) then RandomHorizontalFlip(0.5): the usual CIFAR recipe.
    case cropFlip = "crop-flip"
    /// RandomResizedCrop(32, scale=(0.8, 1.0), ratio=(0.9, 1.1)) then RandomHorizontalFlip(0.5),
    /// the course report's recipe: gentle zooms, since a 32x32 image has little to spare.
    case randomResizedCrop = "random-resized-crop"
    case none

    /// Draws one image's crop and flip.
    public func window(generator: inout SeededGenerator) -> CropWindow {
        var window: CropWindow
        switch self {
        case .none: return .identity
        case .cropFlip: window = Self.paddedCropWindow(padding: 4, generator: &generator)
        case .randomResizedCrop:
            window = Self.resizedCropWindow(scale: 0.8...1.0, ratio: 0.9...1.1, generator: &generator)
        }
        window.flip = generator.nextUniform() < 0.5
        return window
    }

    /// A 32x32 window anywhere in the image padded by `padding` on every side.
    static func paddedCropWindow(padding: Int, generator: inout SeededGenerator) -> CropWindow {
        let top = generator.nextInt(below: 2 * padding + 1) - padding
        let left = generator.nextInt(below: 2 * padding + 1) - padding
        return CropWindow(top: top, left: left, height: 32, width: 32, flip: false)
    }

    /// torchvision's RandomResizedCrop.get_params: ten tries at an area fraction uniform in `scale`
    /// and an aspect ratio (width / height) log-uniform in `ratio`, else the centre crop.
    static func resizedCropWindow(scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                                  generator: inout SeededGenerator) -> CropWindow {
        let side = LabeledImages.side, area = Double(side * side)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let targetArea = area * uniform(scale, &generator)
            let aspect = exp(uniform(logRatio, &generator))
            // Python's round() rounds halves to even.
            let width = Int((targetArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let height = Int((targetArea / aspect).squareRoot().rounded(.toNearestOrEven))
            if width > 0 && width <= side && height > 0 && height <= side {
                let top = generator.nextInt(below: side - height + 1)
                let left = generator.nextInt(below: side - width + 1)
                return CropWindow(top: top, left: left, height: height, width: width, flip: false)
            }
        }
        // The image is square, so the fallback keeps the ratio inside `ratio` only if 1 is.
        var width = side, height = side
        if ratio.lowerBound > 1 { height = Int((Double(side) / ratio.lowerBound).rounded(.toNearestOrEven)) }
        if ratio.upperBound < 1 { width = Int((Double(side) * ratio.upperBound).rounded(.toNearestOrEven)) }
        return CropWindow(top: (side - height) / 2, left: (side - width) / 2,
                          height: height, width: width, flip: false)
    }

    private static func uniform(_ range: ClosedRange<Double>, _ generator: inout SeededGenerator) -> Double {
        range.lowerBound + Double(generator.nextUniform()) * (range.upperBound - range.lowerBound)
    }
}
