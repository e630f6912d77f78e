/// The augmentations beyond the crop window: a policy on the uint8 image, random erasing on
/// the normalised image, and Mixup / CutMix on the batch. The default switches all of them
/// off. Every key is optional when decoding, so settings stored before a field existed still load.
public struct AugmentationSettings: Codable, Equatable, Sendable {
    public var policy = AugmentationPolicy.none
    public var randAugmentOperations = 2
    /// A bin of 31, as torchvision's RandAugment(magnitude=9).
    public var randAugmentMagnitude = 9
    /// The probability of erasing a box from each image; 0 switches erasing off.
    public var randomErasing: Float = 0
    /// Beta(alpha, alpha) parameters; 0 switches that mixing off.
    public var mixup: Float = 0
    public var cutmix: Float = 0
    /// The chance of CutMix rather than Mixup for a batch when both are on.
    public var mixSwitchProbability: Float = 0.5
    /// Mixing stops from this epoch on (0-based), as DeiT-LT and long CCT recipes end without it.
    public var mixOffEpoch: Int?

    enum CodingKeys: String, CodingKey {
        case policy, randAugmentOperations = "rand_augment_ops", randAugmentMagnitude = "rand_augment_magnitude"
        case randomErasing = "random_erasing", mixup, cutmix, mixSwitchProbability = "mix_switch_prob"
        case mixOffEpoch = "mix_off_epoch"
    }

    public init(policy: AugmentationPolicy = .none, randomErasing: Float = 0, mixup: Float = 0, cutmix: Float = 0,
                mixOffEpoch: Int? = nil) {
        (self.policy, self.randomErasing, self.mixup, self.cutmix, self.mixOffEpoch) =
            (policy, randomErasing, mixup, cutmix, mixOffEpoch)
    }

    public static let none = AugmentationSettings()

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AugmentationSettings()
        policy = try container.decodeIfPresent(AugmentationPolicy.self, forKey: .policy) ?? defaults.policy
        randAugmentOperations = try container.decodeIfPresent(Int.self, forKey: .randAugmentOperations)
            ?? defaults.randAugmentOperations
        randAugmentMagnitude = try container.decodeIfPresent(Int.self, forKey: .randAugmentMagnitude)
            ?? defaults.randAugmentMagnitude
        randomErasing = try container.decodeIfPresent(Float.self, forKey: .randomErasing) ?? defaults.randomErasing
        mixup = try container.decodeIfPresent(Float.self, forKey: .mixup) ?? defaults.mixup
        cutmix = try container.decodeIfPresent(Float.self, forKey: .cutmix) ?? defaults.cutmix
        mixSwitchProbability = try container.decodeIfPresent(Float.self, forKey: .mixSwitchProbability)
            ?? defaults.mixSwitchProbability
        mixOffEpoch = try container.decodeIfPresent(Int.self, forKey: .mixOffEpoch)
    }

    /// The batch mixing of `epoch`, or nil when no mixing is on then.
    public func mixing(epoch: Int) -> BatchMixing? {
        guard mixup > 0 || cutmix > 0 else { return nil }
        if let mixOffEpoch, epoch >= mixOffEpoch { return nil }
        return BatchMixing(mixupAlpha: mixup, cutmixAlpha: cutmix, switchProbability: mixSwitchProbability)
    }

    public var erasing: RandomErasing? { randomErasing > 0 ? RandomErasing(probability: randomErasing) : nil }

    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        if randAugmentOperations < 1 { try fail("RandAugment operations must be at least 1, got \(randAugmentOperations)") }
        if !(0..<31).contains(randAugmentMagnitude) {
            try fail("RandAugment magnitude must be a bin in 0...30, got \(randAugmentMagnitude)")
        }
        if !(0...1).contains(randomErasing) { try fail("random erasing probability must be in [0, 1], got \(randomErasing)") }
        if !(mixup >= 0) { try fail("mixup alpha must not be negative, got \(mixup)") }
        if !(cutmix >= 0) { try fail("cutmix alpha must not be negative, got \(cutmix)") }
        if !(0...1).contains(mixSwitchProbability) {
            try fail("mix switch probability must be in [0, 1], got \(mixSwitchProbability)")
        }
        if let mixOffEpoch, mixOffEpoch < 0 { try fail("mix-off epoch must not be negative, got \(mixOffEpoch)") }
    }
}
