import ArgumentParser
import ViTCore
import ViTStages
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

    @Option(help: "Long-tailed training set: class i keeps floor(5000 * R^(-i/9)) images (1 = all, the default; a recipe may set it).")
    public var imbalanceRatio: Double?

    @Option(help: "Augmentation: crop-flip, random-resized-crop or none.")
    public var augment: Augmentation = .cropFlip

    @Option(help: ArgumentHelp("Use only the first N training images (quick runs).", visibility: .hidden))
    public var limitTrain: Int?

    @Option(help: ArgumentHelp("Use only the first N test images (quick runs).", visibility: .hidden))
    public var limitTest: Int?

    public init() {}

    public var directory: String { CIFAR10.resolveDirectory(flag: data) }

    public func validate() throws {
        if let imbalanceRatio, !(imbalanceRatio >= 1) {
            throw ValidationError("imbalance ratio must be at least 1, got \(imbalanceRatio)")
        }
        if let limitTrain, limitTrain < 1 { throw ValidationError("--limit-train must be positive") }
        if let limitTest, limitTest < 1 { throw ValidationError("--limit-test must be positive") }
        if let downloadURL { _ = try DataDownloadCommand.parseURL(downloadURL) }
    }

    /// The flags as the typed source a stage reads; with --download, the job that fetches the
    /// data set when the directory lacks its files.
    public func source() throws -> DataSource {
        var source = DataSource(directory: directory)
        if download {
            var job = DatasetDownload(destination: directory)
            if let downloadURL { job.url = try DataDownloadCommand.parseURL(downloadURL) }
            if let downloadMD5 { job.md5 = downloadMD5 }
            source.download = job
        }
        source.imbalanceRatio = imbalanceRatio ?? 1
        source.augmentation = augment
        source.limitTrain = limitTrain
        source.limitTest = limitTest
        return source
    }

    /// The (long-tailed) training set, its class counts, and the balanced test set.
    public func load(seed: UInt64, imbalanceRatio: Double? = nil, quiet: Bool = false) throws
        -> (train: LabeledImages, counts: [Int], test: LabeledImages) {
        try source().load(seed: seed, imbalanceRatio: imbalanceRatio, quiet: quiet)
    }

    public func loadTest() throws -> LabeledImages { try source().loadTest() }
}

extension Augmentation: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension ModelConfig.Pool: ExpressibleByArgument {}
extension AugmentationPolicy: ExpressibleByArgument {}
extension Stage: ExpressibleByArgument {}
