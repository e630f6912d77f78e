import ViTCore
import XCTest
import ViTStore
@testable import ViTCommands
@testable import ViTStages

final class DatasetDownloadTests: XCTestCase {
    private func download(to destination: String, from server: LocalHTTPServer, md5: String) -> DatasetDownload {
        var job = DatasetDownload(destination: destination)
        job.url = server.url
        job.md5 = md5
        job.quiet = true
        return job
    }

    func testAGoodArchiveUnpacksIntoPlaceAndLoads() throws {
        let archive = try makeMiniatureArchive(perFile: 30)
        let server = try LocalHTTPServer(body: archive.data)
        defer { server.stop() }
        let parent = temporaryPath("data"), destination = parent + "/cifar-10-batches-bin"
        // Upper-case: a checksum pasted from elsewhere still matches.
        XCTAssertEqual(try download(to: destination, from: server, md5: archive.md5.uppercased()).run(), .downloaded)
        XCTAssertEqual(try CIFAR10.loadTraining(directory: destination).count, 5 * 30)
        XCTAssertEqual(try CIFAR10.loadTest(directory: destination).count, 30)
        XCTAssertTrue(FileManager.default.fileExists(atPath: destination + "/batches.meta.txt"))
        XCTAssertEqual(folderContents(parent), ["cifar-10-batches-bin"], "the archive and work folder are gone")
    }

    func testATruncatedDownloadIsRefusedInOneLineAndLeavesNothing() throws {
        let archive = try makeMiniatureArchive()
        let server = try LocalHTTPServer(body: archive.data.prefix(archive.data.count / 2), declaredLength: archive.data.count)
        defer { server.stop() }
        let parent = temporaryPath("data")
        XCTAssertThrowsError(try download(to: parent + "/cifar-10-batches-bin", from: server, md5: archive.md5).run()) {
            XCTAssertEqual("\($0)", "\(server.url.absoluteString): the body ended after \(archive.data.count / 2) of "
                           + "\(archive.data.count) bytes (connection lost?)")
        }
        XCTAssertEqual(folderContents(parent), [])
    }

    /// A full disk (a file-size limit on this process, SIGXFSZ ignored as the tools do) while the
    /// archive is fetched and unpacked: one line with the system's reason, nothing left behind.
    func testAFullDiskIsOneLineAndLeavesNothing() throws {
        let archive = try makeMiniatureArchive(perFile: 30)
        let server = try LocalHTTPServer(body: archive.data)
        defer { server.stop() }
        let parent = temporaryPath("data")
        var saved = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &saved)
        var limited = saved
        limited.rlim_cur = 64 * 1024  // less than the archive (and than two of its files)
        let previous = signal(SIGXFSZ, SIG_IGN)
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limited)
        defer {
            setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previous)
        }
        XCTAssertThrowsError(try download(to: parent + "/cifar-10-batches-bin", from: server, md5: archive.md5).run()) { error in
            XCTAssertTrue("\(error)".contains("File too large"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"), "\(error)")
        }
        XCTAssertEqual(folderContents(parent), [])
    }

    func testAWrongChecksumIsRefusedInOneLineAndLeavesNothing() throws {
        let archive = try makeMiniatureArchive()
        let server = try LocalHTTPServer(body: archive.data)
        defer { server.stop() }
        let parent = temporaryPath("data"), expected = String(repeating: "0", count: 32)
        XCTAssertThrowsError(try download(to: parent + "/cifar-10-batches-bin", from: server, md5: expected).run()) {
            XCTAssertEqual("\($0)", "cifar-10-binary.tar.gz: MD5 is \(archive.md5), expected \(expected)")
        }
        XCTAssertEqual(folderContents(parent), [])
    }

    func testAnArchiveThatChecksOutButLacksAFileLeavesNothing() throws {
        let archive = try makeMiniatureArchive(leaving: ["test_batch.bin"])
        let server = try LocalHTTPServer(body: archive.data)
        defer { server.stop() }
        let parent = temporaryPath("data")
        XCTAssertThrowsError(try download(to: parent + "/cifar-10-batches-bin", from: server, md5: archive.md5).run()) {
            XCTAssertEqual("\($0)", "cifar-10-binary.tar.gz: holds no cifar-10-batches-bin/test_batch.bin")
        }
        XCTAssertEqual(folderContents(parent), [])
    }

    func testAnArchiveThatIsNotGzipLeavesNothing() throws {
        let body = Data("<html>a captive portal's login page</html>".utf8)
        let server = try LocalHTTPServer(body: body)
        defer { server.stop() }
        let parent = temporaryPath("data")
        XCTAssertThrowsError(try download(to: parent + "/cifar-10-batches-bin", from: server, md5: MD5.hexDigest(of: body)).run()) {
            XCTAssertEqual("\($0)", "cifar-10-binary.tar.gz: not valid gzip data (incorrect header check)")
        }
        XCTAssertEqual(folderContents(parent), [])
    }

    func testAnExistingDataSetIsNeitherOverwrittenNorFetchedAgain() throws {
        let archive = try makeMiniatureArchive()
        let server = try LocalHTTPServer(body: archive.data)
        defer { server.stop() }
        let existing = try makeMiniatureCIFAR(perFile: 10, seed: 7)
        let before = try CIFAR10.loadTraining(directory: existing)
        XCTAssertEqual(try download(to: existing, from: server, md5: archive.md5).run(), .alreadyPresent)
        XCTAssertEqual(try CIFAR10.loadTraining(directory: existing).pixels, before.pixels)
        XCTAssertEqual(server.requestCount, 0)

        // A folder without the data (an earlier unpacking by hand gone wrong) is left for the user to remove.
        let partial = temporaryPath("partial")
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: partial + "/data_batch_1.bin"))
        XCTAssertThrowsError(try download(to: partial, from: server, md5: archive.md5).run()) {
            XCTAssertEqual("\($0)", "\(partial) exists but lacks CIFAR-10 files; it is not overwritten (remove it to download again)")
        }
        XCTAssertEqual(folderContents(partial), ["data_batch_1.bin"])
        XCTAssertEqual(server.requestCount, 0)
    }

    func testTheOfficialChecksumComesWithTheOfficialAddress() {
        let job = DatasetDownload(destination: "data/cifar-10-batches-bin")
        XCTAssertEqual(job.url.absoluteString, "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")
        XCTAssertEqual(job.md5, "c32a1d4ab5d03f1284b67883e8d87530")
    }
}
