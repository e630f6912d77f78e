import Foundation
import XCTest
@testable import ViTStages

final class OutputFileTests: XCTestCase {
    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-out-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func testAWriteReplacesTheFileWholeAndLeavesNoTemporaryFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try OutputFile.write("old", to: dir + "/report.md")
        try OutputFile.write("new text", to: dir + "/report.md")
        XCTAssertEqual(try String(contentsOfFile: dir + "/report.md", encoding: .utf8), "new text")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["report.md"])
    }

    func testAFailedWriteIsOneLineWithTheReasonAndKeepsTheOlderFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try OutputFile.write("older", to: dir + "/model.onnx")
        // A file-size limit stands in for a full disk: the write fails with EFBIG (SIGXFSZ ignored).
        let previousSignal = signal(SIGXFSZ, SIG_IGN)
        var limit = rlimit(), saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        limit.rlim_cur = 1024
        limit.rlim_max = saved.rlim_max
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previousSignal)
        }
        XCTAssertThrowsError(try OutputFile.write(Data(count: 8192), to: dir + "/model.onnx")) { error in
            XCTAssertEqual("\(error)", "cannot write \(dir)/model.onnx: File too large (write)")
        }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        XCTAssertEqual(try String(contentsOfFile: dir + "/model.onnx", encoding: .utf8), "older")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["model.onnx"])
    }
}
