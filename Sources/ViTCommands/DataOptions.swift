import ArgumentParser
import ViTCore
import ViTStore

public struct DataOptions: ParsableArguments {
    @Option(help: "CIFAR-10 binary directory (default: $VITC_DATA, else data/cifar-10-batches-bin).")
    public var data: String?

    @Flag(help: "Download CIFAR-10 into the data directory first if its files are missing (as vit-data download does).")
    public var download = false

    @Option(help: "Address of cifar-10-binary.tar.gz for --download (a mirror); the official MD5 is checked all the same.")
    public var downloadURL: String?

    // Tests serve a miniature archive; see DatasetDownload.md5.
    @Option(help: ArgumentHelp("Expected MD5 of the archive for --download (tests only).", visibility: .hidden))
    public var downloadMD5: String?

    @Option(help: "Long-tailed training set: class i keeps floor(5000 * R^(-i/9)) images (1 = all).")
    public var imbalanceRatio: Double = 1

    @Option(help: "Augmentation: crop-flip, random-resized-crop or none.")
    public var augment: Augmentation = .cropFlip

    @Option(help: ArgumentHelp("Use only the first N training images (quick runs).", visibility: .hidden))
    public var limitTrain: Int?

    @Option(help: ArgumentHelp("Use only the first N test images (quick runs).", visibility: .hidden))
    public var limitTest: Int?

    public init() {}

    public var directory: String { CIFAR10.resolveDirectory(flag: data) }

    public func validate() throws {
        if imbalanceRatio < 1 { throw ValidationError("imbalance ratio must be at least 1, got \(imbalanceRatio)") }
        if let limitTrain, limitTrain < 1 { throw ValidationError("--limit-train must be positive") }
        if let limitTest, limitTest < 1 { throw ValidationError("--limit-test must be positive") }
        if let downloadURL { _ = try DataDownloadCommand.parseURL(downloadURL) }
    }

    /// With --download, fetches the data set when the data directory lacks its files; otherwise
    /// does nothing (a missing file is then reported when the data is read).
    public func downloadIfMissing() throws {
        guard download, !DatasetDownload.isComplete(directory) else { return }
        var job = DatasetDownload(destination: directory)
        if let downloadURL { job.url = try DataDownloadCommand.parseURL(downloadURL) }
        if let downloadMD5 { job.md5 = downloadMD5 }
        try job.run()
    }

    /// The (long-tailed) training set, its class counts, and the balanced test set.
    public func load(seed: UInt64, imbalanceRatio: Double? = nil, quiet: Bool = false) throws -> (train: LabeledImages, counts: [Int], test: LabeledImages) {
        try downloadIfMissing()
        var train = try CIFAR10.loadTraining(directory: directory)
        var test = try CIFAR10.loadTest(directory: directory)
        if let limitTrain { train = train.subset(Array(0..<min(limitTrain, train.count))) }
        if let limitTest { test = test.subset(Array(0..<min(limitTest, test.count))) }
        let ratio = imbalanceRatio ?? self.imbalanceRatio
        let (subset, counts) = try longTailed(train, imbalanceRatio: ratio, seed: seed)
        if !quiet {
            print("training images: \(subset.count) (imbalance ratio \(ratio)), per class: \(counts)")
            print("test images: \(test.count)")
        }
        return (subset, counts, test)
    }

    public func loadTest() throws -> LabeledImages {
        try downloadIfMissing()
        var test = try CIFAR10.loadTest(directory: directory)
        if let limitTest { test = test.subset(Array(0..<min(limitTest, test.count))) }
        return test
    }
}

extension Augmentation: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension ModelConfig.Pool: ExpressibleByArgument {}
extension AugmentationPolicy: ExpressibleByArgument {}
extension Stage: ExpressibleByArgument {}
