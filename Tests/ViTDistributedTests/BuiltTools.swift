import Foundation
import XCTest

// This target runs the built tools as child processes (under mpirun, a file-size limit, a signal).

/// The debug build of a vitc tool (`swift build --build-tests` builds it); skips the test without it.
func builtTool(_ name: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let tool = root.appendingPathComponent(".build/debug/\(name)").path
    guard FileManager.default.isExecutableFile(atPath: tool) else {
        throw XCTSkip("\(tool) is not built (swift build --build-tests builds it)")
    }
    return tool
}

/// Runs a tool with one thread per process (the machine has two cores for every process) and
/// returns its exit status and everything it printed.
func runTool(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = toolProcess(tool, arguments)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

/// The process `runTool` starts, for a test that acts on it while it runs.
func toolProcess(_ tool: String, _ arguments: [String]) -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["VITC_THREADS"] = "1"
    process.environment = environment
    return process
}

/// Starts `process` (a long training run) with its output collected, and waits until it has written
/// `checkpoint` (its first epoch), so that a test can interrupt it there; read the pipe to the end
/// after acting on it.
func startUntilCheckpoint(_ process: Process, checkpoint: String, file: StaticString = #filePath,
                          line: UInt = #line) throws -> Pipe {
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let deadline = Date() + 120
    while !FileManager.default.fileExists(atPath: checkpoint) && process.isRunning && Date() < deadline { usleep(20_000) }
    XCTAssertTrue(process.isRunning, "the run ended before it could be interrupted", file: file, line: line)
    return pipe
}

/// A new temporary folder with a miniature CIFAR-10 in its `cifar` subfolder.
func folderWithMiniatureData(_ prefix: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try writeMiniatureCIFAR(to: folder + "/cifar")
    return folder
}

/// bash's argv that runs `tool` under a file-size limit of `kilobytes` KiB (`ulimit -f`): a full
/// disk for what the tool writes, without privileges.
func underFileSizeLimit(kilobytes: Int, _ tool: String, _ arguments: [String]) -> [String] {
    ["-c", "ulimit -f \(kilobytes); exec \"$0\" \"$@\"", tool] + arguments
}

/// What a write that met a full disk must leave: exactly one `Error:` line, naming `path` and the
/// file-size limit's reason, no crash report, the older file at `path` byte for byte, and nothing
/// else in its folder (no temporary file). Returns the line.
@discardableResult
func assertEndedCleanlyOnAFullDisk(_ output: String, path: String, older: Data,
                                   file: StaticString = #filePath, line: UInt = #line) throws -> String? {
    let errors = output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
    XCTAssertEqual(errors.count, 1, output, file: file, line: line)
    XCTAssertTrue(errors.first?.contains("\(path): ") ?? false, output, file: file, line: line)
    XCTAssertTrue(errors.first?.contains("File too large") ?? false, output, file: file, line: line)
    XCTAssertFalse(output.contains("crashed"), output, file: file, line: line)
    XCTAssertEqual(FileManager.default.contents(atPath: path), older, "the older file is intact", file: file, line: line)
    let url = URL(fileURLWithPath: path)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path),
                   [url.lastPathComponent], "no temporary file is left", file: file, line: line)
    return errors.first.map(String.init)
}
