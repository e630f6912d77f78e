/// The colour-and-geometry policies applied to the uint8 image before the crop window, named as
/// on the command line. Each draws from the image's own generator only, so an image's result is
/// a function of (seed, epoch, image) like its crop.
public enum AugmentationPolicy: String, Codable, CaseIterable, Sendable {
    case none
    /// AutoAugment's CIFAR-10 policy: one of 25 sub-policies, each two (operation, probability,
    /// bin of 10) steps, as torchvision's AutoAugmentPolicy.CIFAR10.
    case autoAugment = "auto-augment"
    /// RandAugment: `operations` uniform draws from 14 operations, all at bin `magnitude` of 31.
    case randAugment = "rand-augment"
    /// TrivialAugmentWide: one operation at a uniformly drawn bin of 31 in the wide space.
    case trivialAugment = "trivial-augment"

    /// RandAugment's and TrivialAugmentWide's operations, in torchvision's order (no Invert).
    public static let randomOperations: [ImageOperation] = [
        .identity, .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color,
        .contrast, .sharpness, .posterize, .solarize, .autoContrast, .equalize,
    ]

    /// Changes `image` in place. The draws follow torchvision's order per policy: AutoAugment
    /// draws the sub-policy, two probabilities and two signs up front; the others draw the sign
    /// only for signed operations.
    public func apply(to image: ByteImage, generator: inout SeededGenerator,
                      randAugmentOperations: Int = 2, randAugmentMagnitude: Int = 9) {
        switch self {
        case .none: return
        case .autoAugment:
            let space = MagnitudeSpace.standard(side: image.width)
            let subPolicy = AutoAugmentCIFAR10.subPolicies[generator.nextInt(below: AutoAugmentCIFAR10.subPolicies.count)]
            let draws = (generator.nextUniform(), generator.nextUniform())
            let negative = (generator.nextInt(below: 2) == 0, generator.nextInt(below: 2) == 0)
            for second in [false, true] {
                let step = second ? subPolicy.1 : subPolicy.0
                guard (second ? draws.1 : draws.0) <= step.probability else { continue }
                let negate = second ? negative.1 : negative.0
                var magnitude = step.bin.map { space.magnitude(step.operation, bin: $0, bins: 10) } ?? 0
                if step.operation.isSigned && negate { magnitude = -magnitude }
                step.operation.apply(to: image, magnitude: magnitude)
            }
        case .randAugment:
            let space = MagnitudeSpace.standard(side: image.width)
            for _ in 0..<randAugmentOperations {
                let operation = Self.randomOperations[generator.nextInt(below: Self.randomOperations.count)]
                apply(operation, space.magnitude(operation, bin: randAugmentMagnitude, bins: 31), image, &generator)
            }
        case .trivialAugment:
            let operation = Self.randomOperations[generator.nextInt(below: Self.randomOperations.count)]
            let bin = operation.hasMagnitude ? generator.nextInt(below: 31) : 0
            apply(operation, MagnitudeSpace.wide.magnitude(operation, bin: bin, bins: 31), image, &generator)
        }
    }

    private func apply(_ operation: ImageOperation, _ magnitude: Float, _ image: ByteImage,
                       _ generator: inout SeededGenerator) {
        let negate = operation.isSigned && generator.nextInt(below: 2) == 1
        operation.apply(to: image, magnitude: negate ? -magnitude : magnitude)
    }
}
