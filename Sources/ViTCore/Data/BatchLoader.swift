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

    public init(images: LabeledImages, batchSize: Int, augmentation: Augmentation,
                normalization: ChannelNormalization, shuffle: Bool, dropLast: Bool, seed: UInt64) {
        precondition(batchSize > 0, "BatchLoader: batch size must be positive, got \(batchSize)")
        self.images = images
        self.batchSize = batchSize
        self.augmentation = augmentation
        self.normalization = normalization
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
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

    /// pixels: [B, 3, 32, 32] normalised, labels: [B], for B = indices.count. The buffers are
    /// reused when they already have that size. The images are split across the cores.
    public func makeBatch(indices: [Int], epoch: Int, into pixels: inout Tensor, labels: inout [Int32]) {
        let count = indices.count, imageBytes = LabeledImages.imageBytes
        precondition(indices.allSatisfy { $0 >= 0 && $0 < images.count },
                     "BatchLoader: an index is outside 0..<\(images.count)")
        if pixels.shape != [count, 3, 32, 32] { pixels = Tensor(zeros: [count, 3, 32, 32]) }
        if labels.count != count { labels = [Int32](repeating: 0, count: count) }
        for (b, i) in indices.enumerated() { labels[b] = Int32(images.labels[i]) }

        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        let affine = normalization.affine
        pixels.data.withUnsafeMutableBufferPointer { output in
            images.pixels.withUnsafeBufferPointer { source in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for b in count * worker / workers ..< count * (worker + 1) / workers {
                        var generator = SeededGenerator(seed: streamSeed(Self.augmentStream, epoch, indices[b]))
                        augmentation.window(generator: &generator).render(
                            source.baseAddress! + indices[b] * imageBytes,
                            into: output.baseAddress! + b * imageBytes, affine: affine)
                    }
                }
            }
        }
    }

    private static let shuffleStream: UInt64 = 1, augmentStream: UInt64 = 2

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
