import Foundation
import XCTest
import ViTCore

/// Skips the calling test, saying why, unless python3 imports `modules` (for example
/// "safetensors, h5py"): the cross-checks against Python's own readers and writers need them.
func requirePython(_ modules: String) throws {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import \(modules)"]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    try probe.run()
    probe.waitUntilExit()
    if probe.terminationStatus != 0 {
        throw XCTSkip("python3 cannot import \(modules): the cross-check with Python's reader cannot run")
    }
}

/// Runs `script` with python3 (after `requirePython(modules)`) and returns what it printed.
func python(needs modules: String, _ script: String, _ arguments: [String]) throws -> String {
    try requirePython(modules)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw ConfigError(message: "the Python script failed: \(output)") }
    return output
}
