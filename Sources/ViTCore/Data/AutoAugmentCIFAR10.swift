/// The AutoAugment policy learned on reduced CIFAR-10 (Cubuk et al., 2019), in the form of
/// torchvision's AutoAugmentPolicy.CIFAR10: a bin of nil means the operation takes no magnitude.
public enum AutoAugmentCIFAR10 {
    public struct Step: Equatable, Sendable {
        public var operation: ImageOperation
        public var probability: Float
        public var bin: Int?
    }

    private static func s(_ operation: ImageOperation, _ probability: Float, _ bin: Int?) -> Step {
        Step(operation: operation, probability: probability, bin: bin)
    }

    public static let subPolicies: [(Step, Step)] = [
        (s(.invert, 0.1, nil), s(.contrast, 0.2, 6)),
        (s(.rotate, 0.7, 2), s(.translateX, 0.3, 9)),
        (s(.sharpness, 0.8, 1), s(.sharpness, 0.9, 3)),
        (s(.shearY, 0.5, 8), s(.translateY, 0.7, 9)),
        (s(.autoContrast, 0.5, nil), s(.equalize, 0.9, nil)),
        (s(.shearY, 0.2, 7), s(.posterize, 0.3, 7)),
        (s(.color, 0.4, 3), s(.brightness, 0.6, 7)),
        (s(.sharpness, 0.3, 9), s(.brightness, 0.7, 9)),
        (s(.equalize, 0.6, nil), s(.equalize, 0.5, nil)),
        (s(.contrast, 0.6, 7), s(.sharpness, 0.6, 5)),
        (s(.color, 0.7, 7), s(.translateX, 0.5, 8)),
        (s(.equalize, 0.3, nil), s(.autoContrast, 0.4, nil)),
        (s(.translateY, 0.4, 3), s(.sharpness, 0.2, 6)),
        (s(.brightness, 0.9, 6), s(.color, 0.2, 8)),
        (s(.solarize, 0.5, 2), s(.invert, 0.0, nil)),
        (s(.equalize, 0.2, nil), s(.autoContrast, 0.6, nil)),
        (s(.equalize, 0.2, nil), s(.equalize, 0.6, nil)),
        (s(.color, 0.9, 9), s(.equalize, 0.6, nil)),
        (s(.autoContrast, 0.8, nil), s(.solarize, 0.2, 8)),
        (s(.brightness, 0.1, 3), s(.color, 0.7, 0)),
        (s(.solarize, 0.4, 5), s(.autoContrast, 0.9, nil)),
        (s(.translateY, 0.9, 9), s(.translateY, 0.7, 9)),
        (s(.autoContrast, 0.9, nil), s(.solarize, 0.8, 3)),
        (s(.equalize, 0.8, nil), s(.invert, 0.1, nil)),
        (s(.translateY, 0.7, 9), s(.autoContrast, 0.9, nil)),
    ]
}
