import XCTest
@testable import ViTCore

final class CIFAR10Tests: XCTestCase {
    /// Five tiny training batches and a test batch, as CIFAR10.write lays them out.
    private func writeMiniatureSet() throws -> (directory: String, training: [LabeledImages], test: LabeledImages) {
        let directory = try temporaryDirectory()
        let training = (0..<5).map { syntheticImages(labels: cyclingLabels(3 + $0), seed: UInt64($0)) }
        for (name, images) in zip(CIFAR10.trainingFiles, training) {
            try CIFAR10.write(images, to: "\(directory)/\(name)")
        }
        let test = syntheticImages(labels: [9, 0, 4], seed: 99)
        try CIFAR10.write(test, to: "\(directory)/\(CIFAR10.testFile)")
        return (directory, training, test)
    }

    private func assertOneLineError(_ expression: @autoclosure () throws -> LabeledImages,
                                    mentions fragments: [String], line: UInt = #line) {
        XCTAssertThrowsError(try expression(), line: line) { error in
            guard let error = error as? DataError else { return XCTFail("not a DataError: \(error)", line: line) }
            XCTAssertFalse(error.description.contains("\n"), line: line)
            for fragment in fragments {
                XCTAssert(error.description.contains(fragment), "\(error) lacks \(fragment)", line: line)
            }
        }
    }

    func testWrittenBatchesLoadBackInFileOrder() throws {
        let (directory, training, test) = try writeMiniatureSet()
        let loaded = try CIFAR10.loadTraining(directory: directory)
        XCTAssertEqual(loaded.count, 3 + 4 + 5 + 6 + 7)
        XCTAssertEqual(loaded.labels, training.flatMap(\.labels))
        XCTAssertEqual(loaded.pixels, training.flatMap(\.pixels))
        XCTAssertEqual(try CIFAR10.loadTest(directory: directory), test)
    }

    func testMissingDirectoryNamesItAndWhereToGetTheData() {
        assertOneLineError(try CIFAR10.loadTraining(directory: "/nonexistent/cifar"),
                           mentions: ["CIFAR-10 directory not found: /nonexistent/cifar", "--data", "VITC_DATA",
                                      "vit-data download", "https://www.cs.toronto.edu/~kriz/cifar.html"])
    }

    func testMissingBatchFileIsNamed() throws {
        let (directory, _, _) = try writeMiniatureSet()
        try FileManager.default.removeItem(atPath: "\(directory)/data_batch_4.bin")
        assertOneLineError(try CIFAR10.loadTraining(directory: directory),
                           mentions: ["not found", "\(directory)/data_batch_4.bin"])
    }

    func testTruncatedFileIsNamedWithItsSize() throws {
        let (directory, _, _) = try writeMiniatureSet()
        let path = "\(directory)/data_batch_3.bin"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.dropLast(5).write(to: URL(fileURLWithPath: path))
        assertOneLineError(try CIFAR10.loadTraining(directory: directory),
                           mentions: ["\(path): \(5 * 3073 - 5) bytes is not a whole number of 3073-byte records"])
    }

    func testEmptyFileIsRejected() throws {
        let (directory, _, _) = try writeMiniatureSet()
        let path = "\(directory)/\(CIFAR10.testFile)"
        try Data().write(to: URL(fileURLWithPath: path))
        assertOneLineError(try CIFAR10.loadTest(directory: directory), mentions: ["\(path): empty file"])
    }

    func testLabelAboveNineNamesFileAndRecord() throws {
        let (directory, _, _) = try writeMiniatureSet()
        let path = "\(directory)/data_batch_2.bin"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[2 * 3073] = 12
        try bytes.write(to: URL(fileURLWithPath: path))
        assertOneLineError(try CIFAR10.loadTraining(directory: directory),
                           mentions: ["\(path): record 2 has label 12"])
    }

    func testFlagWinsOverDefault() {
        XCTAssertEqual(CIFAR10.resolveDirectory(flag: "/some/where"), "/some/where")
        let fallback = ProcessInfo.processInfo.environment["VITC_DATA"] ?? CIFAR10.defaultDirectory
        XCTAssertEqual(CIFAR10.resolveDirectory(flag: nil), fallback.isEmpty ? CIFAR10.defaultDirectory : fallback)
    }

    func testRealDataHasOfficialCounts() throws {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let directory = ProcessInfo.processInfo.environment["VITC_DATA"]
            ?? packageRoot.appendingPathComponent("../shared/data/cifar-10-batches-bin").standardized.path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw XCTSkip("real CIFAR-10 not found at \(directory) (set VITC_DATA to run this test)")
        }
        let training = try CIFAR10.loadTraining(directory: directory)
        let test = try CIFAR10.loadTest(directory: directory)
        XCTAssertEqual(training.count, 50_000)
        XCTAssertEqual(classCounts(training.labels), Array(repeating: 5_000, count: 10))
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(classCounts(test.labels), Array(repeating: 1_000, count: 10))
    }
}
