import Dispatch
import Foundation

/// Turns LabeledImages into normalised, augmented float batches.
/// Everything random is a function of (seed, epoch, image), never of how many batches were
/// drawn before or of thread scheduling, so a run resumed at epoch e continues exactly.
public struct BatchLoader: Sendable {
    public let images: LabeledImages
    public let batchSize: Int
    public let augmentation: Augmentation
    public let normalization: ChannelNormalization
    public let shuffle: Bool
    public let dropLast: Bool
    public let seed: UInt64
    /// Policy, random erasing and mixing; none of them unless asked for.
    public let settings: AugmentationSettings

    public init(images: LabeledImages, batchSize: Int, augmentation: Augmentation,
                normalization: ChannelNormalization, shuffle: Bool, dropLast: Bool, seed: UInt64,
                settings: AugmentationSettings = .none) {
        precondition(batchSize > 0, "BatchLoader: batch size must be positive, got \(batchSize)")
        self.images = images
        self.batchSize = batchSize
        self.augmentation = augmentation
        self.normalization = normalization
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.settings = settings
    }

    /// Evaluation: every image once, in order, unaugmented; the last batch may be short.
    public static func evaluation(images: LabeledImages, batchSize: Int,
                                  normalization: ChannelNormalization) -> BatchLoader {
        BatchLoader(images: images, batchSize: batchSize, augmentation: .none,
                    normalization: normalization, shuffle: false, dropLast: false, seed: 0)
    }

    public var batchesPerEpoch: Int {
        dropLast ? images.count / batchSize : (images.count + batchSize - 1) / batchSize
    }

    /// The image indices of each batch of epoch `index`.
    public func epoch(_ index: Int) -> [[Int]] {
        var order = Array(0..<images.count)
        if shuffle {
            var generator = SeededGenerator(seed: streamSeed(Self.shuffleStream, index, 0))
            order = generator.permutation(images.count)
        }
        return (0..<batchesPerEpoch).map { b in
            Array(order[b * batchSize ..< min((b + 1) * batchSize, order.count)])
        }
    }

    /// A batch as below, then mixed by Mixup or CutMix when the settings ask for it in this epoch.
    /// The mixing draw is a function of (seed, epoch, step) alone; the targets to train on are
    /// the returned value, or plain `labels` when it is nil (no mixing).
    public func makeBatch(indices: [Int], epoch: Int, step: Int, into pixels: inout Tensor,
                          labels: inout [Int32]) -> MixedTargets? {
        makeBatch(indices: indices, epoch: epoch, into: &pixels, labels: &labels)
        guard let mixing = settings.mixing(epoch: epoch) else { return nil }
        var generator = SeededGenerator(seed: streamSeed(Self.mixStream, epoch, step))
        guard let draw = mixing.draw(height: LabeledImages.side, width: LabeledImages.side,
                                     generator: &generator) else { return nil }
        BatchMixing.apply(draw, to: &pixels)
        return MixedTargets(labels: labels, partners: labels.reversed(), lambda: draw.lambda)
    }

    /// pixels: [B, 3, 32, 32] normalised, labels: [B], for B = indices.count. The buffers are
    /// reused when they already have that size. The images are split across the cores.
    /// Each image gets the settings' policy (on its bytes, before the crop window) and random
    /// erasing (after normalisation), each from a stream of its own so that switching one on
    /// leaves the crops of the others unchanged. No mixing: that needs the step (above).
    public func makeBatch(indices: [Int], epoch: Int, into pixels: inout Tensor, labels: inout [Int32]) {
        let count = indices.count, imageBytes = LabeledImages.imageBytes
        precondition(indices.allSatisfy { $0 >= 0 && $0 < images.count },
                     "BatchLoader: an index is outside 0..<\(images.count)")
        if pixels.shape != [count, 3, 32, 32] { pixels = Tensor(zeros: [count, 3, 32, 32]) }
        if labels.count != count { labels = [Int32](repeating: 0, count: count) }
        for (b, i) in indices.enumerated() { labels[b] = Int32(images.labels[i]) }

        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        let affine = normalization.affine
        let erasing = settings.erasing
        pixels.data.withUnsafeMutableBufferPointer { output in
            images.pixels.withUnsafeBufferPointer { source in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    // One scratch image per worker for the policy, reused for all its images.
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: imageBytes) { scratch in
                        for b in count * worker / workers ..< count * (worker + 1) / workers {
                            let i = indices[b], out = output.baseAddress! + b * imageBytes
                            var image = UnsafePointer(source.baseAddress! + i * imageBytes)
                            if settings.policy != .none {
                                _ = scratch.initialize(from: UnsafeBufferPointer(start: image, count: imageBytes))
                                var generator = SeededGenerator(seed: streamSeed(Self.policyStream, epoch, i))
                                settings.policy.apply(to: ByteImage(scratch.baseAddress!, height: LabeledImages.side,
                                                                    width: LabeledImages.side),
                                                      generator: &generator,
                                                      randAugmentOperations: settings.randAugmentOperations,
                                                      randAugmentMagnitude: settings.randAugmentMagnitude)
                                image = UnsafePointer(scratch.baseAddress!)
                            }
                            var generator = SeededGenerator(seed: streamSeed(Self.augmentStream, epoch, i))
                            augmentation.window(generator: &generator).render(image, into: out, affine: affine)
                            if let erasing {
                                var generator = SeededGenerator(seed: streamSeed(Self.erasingStream, epoch, i))
                                erasing.erase(out, generator: &generator)
                            }
                        }
                    }
                }
            }
        }
    }

    private static let shuffleStream: UInt64 = 1, augmentStream: UInt64 = 2
    private static let policyStream: UInt64 = 3, erasingStream: UInt64 = 4, mixStream: UInt64 = 5

    // A seed for one (stream, epoch, item), hashed with splitmix64 at each step so that nearby
    // triples give unrelated streams.
    private func streamSeed(_ stream: UInt64, _ epoch: Int, _ item: Int) -> UInt64 {
        func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return mix(mix(mix(seed ^ stream) ^ UInt64(epoch)) ^ UInt64(item))
    }
}
