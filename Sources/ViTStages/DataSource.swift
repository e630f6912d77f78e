import Foundation
import ViTCore

/// Where a stage's images come from and which of them it uses: the typed form of the data flags.
public struct DataSource {
    /// The CIFAR-10 binary directory.
    public var directory: String
    /// Fetches the data set first when the directory lacks its files; nil: a missing file is an error when read.
    public var download: DatasetDownload?
    /// Long-tailed training set: class i keeps floor(5000 * R^(-i/9)) images (1 = all).
    public var imbalanceRatio: Double = 1
    public var augmentation = Augmentation.cropFlip
    /// Only the first N training or test images (quick runs and tests).
    public var limitTrain: Int?
    public var limitTest: Int?

    public init(directory: String) { self.directory = directory }

    public func downloadIfMissing() throws {
        guard let download, !DatasetDownload.isComplete(directory) else { return }
        try download.run()
    }

    /// The (long-tailed) training set, its class counts, and the balanced test set.
    public func load(seed: UInt64, imbalanceRatio: Double? = nil, quiet: Bool = false) throws
        -> (train: LabeledImages, counts: [Int], test: LabeledImages) {
        let loaded = try loadSelection(seed: seed, imbalanceRatio: imbalanceRatio, quiet: quiet)
        let train = loaded.kept.count == loaded.full.count ? loaded.full : loaded.full.subset(loaded.kept)
        return (train, loaded.counts, loaded.test)
    }

    /// The whole training set with the positions the long-tailed subset keeps (a balanced
    /// validation set is drawn from the others), its class counts, and the test set.
    public func loadSelection(seed: UInt64, imbalanceRatio: Double? = nil, quiet: Bool = false) throws
        -> (full: LabeledImages, kept: [Int], counts: [Int], test: LabeledImages) {
        try downloadIfMissing()
        var train = try CIFAR10.loadTraining(directory: directory)
        var test = try CIFAR10.loadTest(directory: directory)
        if let limitTrain { train = train.subset(Array(0..<min(limitTrain, train.count))) }
        if let limitTest { test = test.subset(Array(0..<min(limitTest, test.count))) }
        let ratio = imbalanceRatio ?? self.imbalanceRatio
        let (kept, counts) = try longTailedSelection(train, imbalanceRatio: ratio, seed: seed)
        if !quiet {
            print("training images: \(kept.count) (imbalance ratio \(ratio)), per class: \(counts)")
            print("test images: \(test.count)")
        }
        return (train, kept, counts, test)
    }

    public func loadTest() throws -> LabeledImages {
        try downloadIfMissing()
        var test = try CIFAR10.loadTest(directory: directory)
        if let limitTest { test = test.subset(Array(0..<min(limitTest, test.count))) }
        return test
    }
}
