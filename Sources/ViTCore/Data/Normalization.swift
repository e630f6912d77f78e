/// Per-channel mean and std in [0, 1] pixel units: a byte v of channel c becomes
/// (v / 255 - mean[c]) / std[c], as torchvision's ToTensor followed by Normalize.
public struct ChannelNormalization: Codable, Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == LabeledImages.channels && std.count == LabeledImages.channels,
                     "ChannelNormalization: need \(LabeledImages.channels) means and stds, got \(mean.count) and \(std.count)")
        self.mean = mean
        self.std = std
    }

    /// The CIFAR-10 training-set statistics used by most CIFAR training recipes.
    public static let cifar10 = ChannelNormalization(mean: [0.4914, 0.4822, 0.4465],
                                                     std: [0.2470, 0.2435, 0.2616])

    public func normalize(_ byte: UInt8, channel: Int) -> Float {
        Float(byte) * scale(channel) + bias(channel)
    }

    // The same map folded into one multiply-add per pixel for the batch loop.
    func scale(_ channel: Int) -> Float { 1 / (255 * std[channel]) }
    func bias(_ channel: Int) -> Float { -mean[channel] / std[channel] }

    var affine: (scale: SIMD4<Float>, bias: SIMD4<Float>) {
        (SIMD4(scale(0), scale(1), scale(2), 0), SIMD4(bias(0), bias(1), bias(2), 0))
    }
}
