import ViTCore
import XCTest
@testable import ViTCommands
@testable import ViTStages

final class DataCommandTests: XCTestCase {
    func testDownloadPutsTheDataSetUnderDir() throws {
        let archive = try makeMiniatureArchive()
        let server = try LocalHTTPServer(body: archive.data)
        defer { server.stop() }
        let dir = temporaryPath("data")
        var command = try DataCommand.parseAsRoot(["download", "--dir", dir, "--url", server.url.absoluteString,
                                                   "--md5", archive.md5])
        try command.run()
        XCTAssertEqual(try CIFAR10.loadTest(directory: dir + "/cifar-10-batches-bin").count, 40)
        XCTAssertEqual(folderContents(dir), ["cifar-10-batches-bin"])
    }

    func testWithoutDirTheResultIsWhereTheToolsLook() {
        let saved = ProcessInfo.processInfo.environment["VITC_DATA"]
        defer { if let saved { setenv("VITC_DATA", saved, 1) } else { unsetenv("VITC_DATA") } }
        unsetenv("VITC_DATA")
        XCTAssertEqual(DataDownloadCommand.destination(dir: nil), "data/cifar-10-batches-bin")
        XCTAssertEqual(DataDownloadCommand.destination(dir: nil), CIFAR10.defaultDirectory)
        XCTAssertEqual(DataDownloadCommand.destination(dir: "/srv/datasets"), "/srv/datasets/cifar-10-batches-bin")
        setenv("VITC_DATA", "/srv/cifar", 1)
        XCTAssertEqual(DataDownloadCommand.destination(dir: nil), "/srv/cifar")
    }

    func testAnAddressThatIsNotHTTPIsRejected() {
        XCTAssertThrowsError(try DataCommand.parseAsRoot(["download", "--url", "ftp://example.org/x.tar.gz"])) {
            XCTAssertTrue(DataCommand.message(for: $0).contains("is not an http or https address"), "\($0)")
        }
    }

    func testTheChecksumOptionIsHiddenFromHelp() {
        let help = DataCommand.helpMessage(for: DataDownloadCommand.self)
        XCTAssertTrue(help.contains("--url"), help)
        XCTAssertFalse(help.contains("--md5"), help)
    }
}
