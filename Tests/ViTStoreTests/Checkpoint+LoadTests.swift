import XCTest
import ViTCore
@testable import ViTStore

final class CheckpointLoadTests: XCTestCase {
    var directory: TemporaryDirectory!
    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    func testEveryGroupAndAttributeRoundTripsExactly() throws {
        let path = directory.path("model.h5")
        try sampleCheckpoint().save(to: path)
        XCTAssertEqual(try Checkpoint.load(from: path), sampleCheckpoint())
    }

    func testCompressedWeightsRoundTripAndShrinkAPrunedModel() throws {
        var pruned = sampleCheckpoint()
        var values = randomFloats(512 * 512, seed: 21)
        for i in values.indices where i % 8 != 0 { values[i] = 0 }
        pruned.weights["blocks.0.mlp.fc1.weight"] = StoredArray(Tensor(shape: [512, 512], data: values))
        var sizes: [Int] = []
        for compress in [false, true] {
            pruned.compressWeights = compress
            let path = directory.path("pruned-\(compress).h5")
            try pruned.save(to: path)
            XCTAssertEqual(try Checkpoint.load(from: path), pruned)
            sizes.append(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
        }
        XCTAssertLessThan(sizes[1] * 3, sizes[0], "compressed \(sizes[1]) vs plain \(sizes[0]) bytes")
    }

    func testNamesComeFromPathsSoBlock10AndBlock2StayApart() throws {
        var checkpoint = Checkpoint()
        for block in 0..<12 { checkpoint.weights["blocks.\(block).norm1.weight"] = StoredArray(floats: [Float(block)]) }
        let path = directory.path("model.h5")
        try checkpoint.save(to: path)
        let loaded = try Checkpoint.load(from: path)
        for block in 0..<12 { XCTAssertEqual(loaded.weights["blocks.\(block).norm1.weight"]?.floats, [Float(block)]) }
    }

    func testMissingGroupsLoadAsEmpty() throws {
        let path = directory.path("model.h5")
        try Checkpoint(weights: ["head.bias": StoredArray(floats: [1, 2])]).save(to: path)
        let loaded = try Checkpoint.load(from: path)
        XCTAssertEqual(loaded.weights.count, 1)
        XCTAssertTrue(loaded.masks.isEmpty && loaded.optimizer.isEmpty && loaded.logs.isEmpty && loaded.eval.isEmpty)
        XCTAssertTrue(loaded.attributes.isEmpty)
    }

    func testBrokenFilesThrowOneLineErrorsNamingTheFile() throws {
        let missing = directory.path("missing.h5")
        let text = directory.path("text.h5")
        try "hello\n".write(toFile: text, atomically: true, encoding: .utf8)
        let truncated = directory.path("truncated.h5")
        try sampleCheckpoint().save(to: truncated)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))

        for path in [missing, text, truncated] {
            XCTAssertThrowsError(try Checkpoint.load(from: path), path) { error in
                _ = assertOneLineNaming(path, error)
            }
        }
        XCTAssertThrowsError(try Checkpoint.load(from: text)) { error in
            XCTAssertEqual("\(error)", "\(text): not an HDF5 file")
        }
    }

    func testAFileWithoutTheVitcFormatIsRefused() throws {
        for format in [nil, AttributeValue.string("keras"), .int(1)] {
            let path = directory.path("other.h5")
            let file = try HDF5File.create(path)
            if let format { try file.setAttribute("format", format) }
            try file.setAttribute("format_version", .int(1))
            try file.close()
            XCTAssertThrowsError(try Checkpoint.load(from: path)) { error in
                XCTAssertEqual(assertOneLineNaming(path, error), .notVitcCheckpoint(file: path))
            }
        }
    }

    func testAnotherFormatVersionIsRefused() throws {
        let path = directory.path("future.h5")
        let file = try HDF5File.create(path)
        try file.setAttribute("format", .string("vitc"))
        try file.setAttribute("format_version", .int(2))
        try file.close()
        XCTAssertThrowsError(try Checkpoint.load(from: path)) { error in
            XCTAssertEqual("\(error)", "\(path): format_version 2, this vitc reads 1")
        }
    }

    func testH5dumpReadsTheSavedFile() throws {
        let path = directory.path("model.h5")
        try sampleCheckpoint(compressWeights: true).save(to: path)
        guard let result = try runProgram("/usr/bin/h5dump", ["-H", path]) else {
            throw XCTSkip("h5dump is not installed")
        }
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("GROUP \"weights\""), result.output)
    }

    func testH5pySeesFormatAsStrAndWeightsWithPyTorchShapes() throws {
        guard let probe = try runProgram("/usr/bin/env", ["python3", "-c", "import h5py"]), probe.status == 0 else {
            throw XCTSkip("python3 with h5py is not available")
        }
        let path = directory.path("model.h5")
        try sampleCheckpoint().save(to: path)
        let script = """
            import h5py
            f = h5py.File('\(path)', 'r')
            print(type(f.attrs['format']).__name__, f.attrs['format'], f['weights/blocks/0/attn/qkv/weight'].shape, \
            f.attrs['config'], f.attrs['seed'], f['optimizer/step'][()])
            """
        let result = try XCTUnwrap(try runProgram("/usr/bin/env", ["python3", "-c", script]))
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, #"str vitc (6, 2) {"depth":12,"width":192} 42 1234"# + "\n")
    }
}
