import Foundation
import ViTCore

/// Fetches, checks and unpacks CIFAR-10 so that a folder holding the data set appears all at
/// once or not at all: the archive and the unpacked files live in a hidden work folder beside
/// the target until every check has passed, then one rename puts the data in place. An
/// existing target is never overwritten.
public struct DatasetDownload {
    public static let officialURL = URL(string: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")!
    /// As published on https://www.cs.toronto.edu/~kriz/cifar.html.
    public static let officialMD5 = "c32a1d4ab5d03f1284b67883e8d87530"
    public static let archiveName = "cifar-10-binary.tar.gz"
    /// The folder the archive unpacks to.
    public static let archiveFolder = "cifar-10-batches-bin"
    public static let officialRecords = 10_000

    public enum Outcome: Equatable { case downloaded, alreadyPresent }

    /// The data directory to create, such as data/cifar-10-batches-bin.
    public var destination: String
    public var url = officialURL
    /// Only tests pass another checksum (vit-data's hidden --md5): the official one also
    /// fixes every file at 10,000 records, which a miniature test archive cannot meet.
    public var md5 = officialMD5
    public var quiet = false

    public init(destination: String) { self.destination = destination }

    /// True when `directory` holds all six batch files (their contents are checked on load).
    public static func isComplete(_ directory: String) -> Bool {
        (CIFAR10.trainingFiles + [CIFAR10.testFile]).allSatisfy {
            FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0))
        }
    }

    @discardableResult
    public func run() throws -> Outcome {
        if FileManager.default.fileExists(atPath: destination) {
            guard Self.isComplete(destination) else {
                throw DataError("\(destination) exists but lacks CIFAR-10 files; it is not overwritten (remove it to download again)")
            }
            say("CIFAR-10 is already in \(destination): nothing downloaded")
            return .alreadyPresent
        }
        let parent = (destination as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? "." : parent
        let work = (folder as NSString).appendingPathComponent(".vitc-download-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        } catch {
            throw DataError("\(work): could not create the work folder (\(error.localizedDescription))")
        }
        // Ctrl-C would otherwise leave the work folder: hidden, never taken for data, but 350 MB.
        let cleanup = InterruptCleanup(removing: work)
        defer {
            try? FileManager.default.removeItem(atPath: work)
            cleanup.cancel()
        }
        do {
            try fetchAndUnpack(in: work)
        } catch {
            cleanup.waitIfInterrupted()
            throw error
        }
        say("CIFAR-10 is ready in \(destination)")
        return .downloaded
    }

    private func fetchAndUnpack(in work: String) throws {
        let archive = work + "/" + Self.archiveName
        try fetch(into: archive)
        let unpacked = work + "/unpacked"
        try unpack(archive, into: unpacked)
        let data = unpacked + "/" + Self.archiveFolder
        try checkFiles(in: data)
        // rename(2) would silently replace an empty folder made meanwhile, so look once more.
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw DataError("\(destination) appeared during the download; it is not overwritten")
        }
        guard rename(data, destination) == 0 else {
            throw DataError("\(destination): could not move the data into place (\(String(cString: strerror(errno))))")
        }
    }

    private func fetch(into archive: String) throws {
        say("downloading \(url.absoluteString)")
        var progress = quiet ? nil : DownloadProgress(name: Self.archiveName)
        let lock = NSLock()
        let result = try HTTPDownload.fetch(url, to: archive) { bytes, total in
            lock.lock(); defer { lock.unlock() }
            progress?.update(bytes: bytes, total: total)
        }
        lock.lock(); progress?.finish(bytes: result.bytes, total: result.bytes); lock.unlock()
        guard result.md5 == md5.lowercased() else {
            throw DataError("\(Self.archiveName): MD5 is \(result.md5), expected \(md5.lowercased())")
        }
        say("\(Self.archiveName): MD5 \(result.md5) as expected")
    }

    private func unpack(_ archive: String, into folder: String) throws {
        var extractor = TarExtractor(destination: folder, source: Self.archiveName)
        try Gunzip.inflate(file: archive, name: Self.archiveName) { try extractor.consume($0) }
        try extractor.finish()
    }

    private func checkFiles(in folder: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError("\(Self.archiveName): holds no \(Self.archiveFolder)/ folder")
        }
        let recordCount: Int? = md5.lowercased() == Self.officialMD5 ? Self.officialRecords : nil
        for name in CIFAR10.trainingFiles + [CIFAR10.testFile] {
            let path = folder + "/" + name
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else {
                throw DataError("\(Self.archiveName): holds no \(Self.archiveFolder)/\(name)")
            }
            if let recordCount, size != recordCount * CIFAR10.recordBytes {
                throw DataError("\(Self.archiveName): \(name) is \(size) bytes, expected \(recordCount * CIFAR10.recordBytes)")
            }
            guard size > 0, size % CIFAR10.recordBytes == 0 else {
                throw DataError("\(Self.archiveName): \(name) is \(size) bytes, expected whole \(CIFAR10.recordBytes)-byte records")
            }
        }
    }

    private func say(_ line: String) {
        if !quiet { print(line) }
    }
}
