import ViTCore
import XCTest
@testable import ViTCommands
@testable import ViTStages

final class DataOptionsTests: XCTestCase {
    func testDownloadFetchesMissingDataBeforeReadingIt() throws {
        let archive = try makeMiniatureArchive()
        let server = try LocalHTTPServer(body: archive.data)
        defer { server.stop() }
        let directory = temporaryPath("data") + "/cifar"
        let options = try DataOptions.parse(["--data", directory, "--download", "--download-url", server.url.absoluteString,
                                             "--download-md5", archive.md5])
        let (train, _, test) = try options.load(seed: 0, quiet: true)
        XCTAssertEqual(train.count, 5 * 40)
        XCTAssertEqual(test.count, 40)
        XCTAssertEqual(try options.loadTest().count, 40)
        XCTAssertEqual(server.requestCount, 1, "fetched once, then found in place")
    }

    func testWithoutDownloadMissingDataIsReportedAndNothingFetched() throws {
        let server = try LocalHTTPServer(body: Data())
        defer { server.stop() }
        let directory = temporaryPath("absent")
        let options = try DataOptions.parse(["--data", directory, "--download-url", server.url.absoluteString])
        XCTAssertThrowsError(try options.loadTest()) { XCTAssertTrue("\($0)".hasPrefix("CIFAR-10 directory not found")) }
        XCTAssertEqual(server.requestCount, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    }

    func testDownloadLeavesDataThatIsThereAlone() throws {
        let server = try LocalHTTPServer(body: Data())
        defer { server.stop() }
        let directory = try makeMiniatureCIFAR(perFile: 10)
        let options = try DataOptions.parse(["--data", directory, "--download", "--download-url", server.url.absoluteString])
        XCTAssertEqual(try options.loadTest().count, 10)
        XCTAssertEqual(server.requestCount, 0)
    }
}
