import ViTCore
import XCTest
import ViTStore
@testable import ViTCommands
@testable import ViTStages

final class HTTPDownloadTests: XCTestCase {
    private let body = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7919) })

    func testWritesTheBodyAndReportsItsMD5AndProgress() throws {
        let server = try LocalHTTPServer(body: body)
        defer { server.stop() }
        let path = temporaryPath("body.bin")
        let lock = NSLock()
        var seen: [(Int64, Int64?)] = []
        let result = try HTTPDownload.fetch(server.url, to: path) { bytes, total in
            lock.lock(); seen.append((bytes, total)); lock.unlock()
        }
        XCTAssertEqual(result, HTTPDownload.Result(bytes: Int64(body.count), md5: MD5.hexDigest(of: body)))
        XCTAssertEqual(FileManager.default.contents(atPath: path), body)
        lock.lock(); defer { lock.unlock() }
        XCTAssertEqual(seen.last?.0, Int64(body.count))
        XCTAssertTrue(seen.allSatisfy { $0.1 == Int64(body.count) }, "every report carries the announced total")
        XCTAssertEqual(seen.map(\.0), seen.map(\.0).sorted())
    }

    func testABodyShorterThanAnnouncedIsRefusedInOneLine() throws {
        let server = try LocalHTTPServer(body: body, declaredLength: body.count + 1000)
        defer { server.stop() }
        XCTAssertThrowsError(try HTTPDownload.fetch(server.url, to: temporaryPath("short.bin"))) {
            XCTAssertEqual("\($0)", "\(server.url.absoluteString): the body ended after \(body.count) of "
                           + "\(body.count + 1000) bytes (connection lost?)")
        }
    }

    func testAStatusOtherThan200IsRefusedInOneLine() throws {
        let server = try LocalHTTPServer(body: Data("not here".utf8), status: 404)
        defer { server.stop() }
        XCTAssertThrowsError(try HTTPDownload.fetch(server.url, to: temporaryPath("missing.bin"))) {
            XCTAssertEqual("\($0)", "\(server.url.absoluteString): HTTP status 404 (Not Found), expected 200")
        }
    }

    func testAnAddressNobodyAnswersIsRefusedInOneLine() throws {
        let server = try LocalHTTPServer(body: body)
        server.stop()  // the port is now closed: the connection is refused
        XCTAssertThrowsError(try HTTPDownload.fetch(server.url, to: temporaryPath("none.bin"))) {
            let message = "\($0)"
            XCTAssertTrue(message.hasPrefix("\(server.url.absoluteString): could not be downloaded ("), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
    }
}
