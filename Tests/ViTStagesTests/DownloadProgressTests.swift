import XCTest
@testable import ViTStages

final class DownloadProgressTests: XCTestCase {
    func testALineGivesBytesTotalPercentAndSpeed() {
        XCTAssertEqual(DownloadProgress.line(name: "a.tar.gz", bytes: 52_300_000, total: 170_498_071, seconds: 10),
                       "a.tar.gz: 52.3 of 170.5 MB (30.7%), 5.2 MB/s")
        XCTAssertEqual(DownloadProgress.line(name: "a.tar.gz", bytes: 1_500_000, total: nil, seconds: 0),
                       "a.tar.gz: 1.5 MB")
    }

    func testATerminalLineIsRewrittenInPlaceAndALogGetsALineEveryFiveSeconds() {
        let start = Date(timeIntervalSince1970: 0)
        var written: [String] = []
        var terminal = DownloadProgress(name: "f", interactive: true, start: start) { written.append($0) }
        for step in 1...10 { terminal.update(bytes: Int64(step) * 1_000_000, total: 10_000_000, now: start + 0.15 * Double(step)) }
        terminal.finish(bytes: 10_000_000, total: 10_000_000, now: start + 1.5)
        XCTAssertEqual(written.count, 5 + 2, "at 0.15, 0.45, 0.75, 1.05 and 1.35 s, then the last figures and a newline")
        XCTAssertTrue(written.dropLast().allSatisfy { $0.hasPrefix("\r") && !$0.contains("\n") })
        XCTAssertEqual(written.last, "\n")

        written = []
        var log = DownloadProgress(name: "f", interactive: false, start: start) { written.append($0) }
        for second in 1...12 { log.update(bytes: Int64(second), total: nil, now: start + Double(second)) }
        XCTAssertEqual(written.count, 3, "at 1, 6 and 11 seconds")
        XCTAssertTrue(written.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
    }
}
