import Foundation
import XCTest
import ViTCore
@testable import ViTStore

/// A fresh directory per test, removed when the test's instance goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vitc-store-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Everything in the directory, hidden files included, to catch a leftover temporary file.
    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }
}

/// Random values with a spread of signs and magnitudes; never NaN, so `==` compares them exactly.
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in generator.nextNormal() * 3 }
}

/// A small checkpoint touching every group, element type and a two-digit block index.
func sampleCheckpoint(compressWeights: Bool = false) -> Checkpoint {
    Checkpoint(
        attributes: ["stage": .string("train"), "config": .string(#"{"depth":12,"width":192}"#),
                     "seed": .int(42), "learning_rate": .double(5e-4)],
        weights: ["blocks.0.attn.qkv.weight": StoredArray(Tensor(shape: [6, 2], data: randomFloats(12, seed: 1))),
                  "blocks.2.norm1.bias": StoredArray(floats: randomFloats(4, seed: 2)),
                  "blocks.10.norm1.bias": StoredArray(floats: randomFloats(4, seed: 3)),
                  "patch_embed.proj.weight": StoredArray(Tensor(shape: [2, 3, 2, 2], data: randomFloats(24, seed: 4)))],
        masks: ["blocks.0.attn.qkv.weight": StoredArray(shape: [6, 2], values: .int8([1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0]))],
        optimizer: ["m.blocks.0.attn.qkv.weight": StoredArray(Tensor(shape: [6, 2], data: randomFloats(12, seed: 5))),
                    "step": StoredArray(scalar: 1234)],
        logs: ["epoch": StoredArray(ints: [0, 1, 2]), "train_loss": StoredArray(doubles: [2.3, 1.7, 1.2])],
        eval: ["accuracy": StoredArray(shape: [], values: .float64([0.8125])),
               "confusion": StoredArray(shape: [2, 2], values: .int32([7, -1, 2, 9]))],
        compressWeights: compressWeights)
}

/// Runs a program, returning its exit status and standard output; nil when it is not installed.
func runProgram(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
    guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// The one-line, file-naming message every StoreError must have.
func assertOneLineNaming(_ file: String, _ error: Error, line: UInt = #line) -> StoreError? {
    guard let error = error as? StoreError else {
        XCTFail("expected a StoreError, got \(error)", line: line)
        return nil
    }
    XCTAssertTrue(error.description.hasPrefix(file + ": "), error.description, line: line)
    XCTAssertFalse(error.description.contains("\n"), error.description, line: line)
    return error
}
