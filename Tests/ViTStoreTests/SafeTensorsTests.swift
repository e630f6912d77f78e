import Foundation
import XCTest
import ViTCore
@testable import ViTStore

final class SafeTensorsTests: XCTestCase {
    private let file = "model.safetensors"

    /// A file from its parts: header length, the header text as given, the data bytes.
    private func bytes(header: String, data: [UInt8]) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { [UInt8]($0) } + json + data
    }

    private func decode(_ bytes: [UInt8], skipping: @escaping (String) -> Bool = { _ in false }) throws -> SafeTensors {
        try bytes.withUnsafeBytes { try SafeTensors.decode($0, file: file, skipping: skipping) }
    }

    private func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { [UInt8]($0) } }
    }

    /// The decode error's one-line message, which must name the file.
    private func failure(_ bytes: [UInt8], line: UInt = #line) -> String {
        do {
            _ = try decode(bytes)
            XCTFail("decoded a broken file", line: line)
            return ""
        } catch {
            return assertOneLineNaming(file, error, line: line)?.description ?? ""
        }
    }

    private func sample() -> SafeTensors {
        SafeTensors(tensors: ["blocks.0.attn.qkv.weight": Tensor(shape: [6, 2], data: randomFloats(12, seed: 1)),
                              "cls_token": Tensor(shape: [1, 1, 2], data: randomFloats(2, seed: 2)),
                              "scale": Tensor(shape: [], data: [-0.0]),
                              "empty": Tensor(shape: [0, 3], data: [])],
                    metadata: ["format": "pt"])
    }

    func testEncodedFilesDecodeToTheSameTensorsBitForBit() throws {
        let original = sample()
        let encoded = original.encoded()
        let headerLength = encoded.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        XCTAssertEqual(headerLength % 8, 0, "the data section starts 8-byte aligned")
        let decoded = try decode(encoded)
        XCTAssertEqual(decoded, original)
        XCTAssertEqual(decoded.tensors["scale"]?.data.first?.bitPattern, (-0.0 as Float).bitPattern)
    }

    func testWriteAndReadAFile() throws {
        let folder = try TemporaryDirectory()
        try sample().write(to: folder.path("a.safetensors"))
        XCTAssertEqual(try SafeTensors.read(from: folder.path("a.safetensors")), sample())
        XCTAssertEqual(try folder.contents(), ["a.safetensors"], "no temporary file left behind")
        XCTAssertThrowsError(try SafeTensors.read(from: folder.path("none.safetensors"))) { error in
            XCTAssertEqual(error as? StoreError, .missingFile(file: folder.path("none.safetensors")))
        }
    }

    func testHalfBFloatAndDoubleBecomeFloat() throws {
        // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), -0, infinity.
        let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00]
        // BF16: 1, -5, 2^-133 (a float32 subnormal).
        let bfloat: [UInt16] = [0x3F80, 0xC0A0, 0x0001]
        let double: [Double] = [1.5, 1e-3]
        let header = #"{"h":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},"#
            + #""b":{"dtype":"BF16","shape":[3],"data_offsets":[12,18]},"#
            + #""d":{"dtype":"F64","shape":[2],"data_offsets":[18,34]}}"#
        let decoded = try decode(bytes(header: header, data: littleEndian(half) + littleEndian(bfloat)
                                                           + littleEndian(double.map(\.bitPattern))))
        XCTAssertEqual(decoded.tensors["h"], Tensor(shape: [2, 3], data: [1, -2, 65504, 0x1p-24, -0.0, .infinity]))
        XCTAssertEqual(decoded.tensors["h"]?.data[4].sign, .minus)
        XCTAssertEqual(decoded.tensors["b"]?.data, [1, -5, Float(bitPattern: 0x0001_0000)])
        XCTAssertEqual(decoded.tensors["d"]?.data, [1.5, Float(1e-3)])
        XCTAssertEqual(decoded.storedTypes, ["h": .F16, "b": .BF16, "d": .F64])
        XCTAssertTrue(SafeTensors.floatFromHalf(0x7E00).isNaN)
    }

    func testIntegerTensorsAreRefusedByNameUnlessSkipped() throws {
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
            + #""n":{"dtype":"I64","shape":[],"data_offsets":[4,12]}}"#
        let file = bytes(header: header, data: littleEndian([Float(2).bitPattern]) + littleEndian([Int64(7)]))
        let message = failure(file)
        XCTAssertTrue(message.contains("n has an unsupported element type (I64; vitc reads F32, F16, BF16, F64)"), message)
        let decoded = try decode(file, skipping: { $0 == "n" })
        XCTAssertEqual(decoded.tensors, ["w": Tensor(shape: [1], data: [2])])
        XCTAssertEqual(decoded.skipped, ["n"])
        XCTAssertTrue(failure(bytes(header: #"{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}"#, data: [0]))
            .contains("w has an unsupported element type (Q4;"))
    }

    func testATruncatedFileIsRefused() {
        let encoded = sample().encoded()
        XCTAssertTrue(failure(Array(encoded.dropLast(3))).contains("(truncated?)"))
        XCTAssertTrue(failure(Array(encoded.prefix(40))).contains("runs past the end of the 40-byte file (truncated?)"))
        XCTAssertTrue(failure(Array(encoded.prefix(5))).contains("5 bytes, too short"))
        XCTAssertTrue(failure([]).contains("0 bytes"))
    }

    func testABadHeaderIsRefused() {
        let data = littleEndian([Float(1).bitPattern])
        for header in ["{nope", "[1, 2]", "", #"{"w": 3}"#, #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#,
                       #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
                       #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                       #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#] {
            let message = failure(bytes(header: header, data: data))
            XCTAssertTrue(message.contains("not a valid safetensors file"), "\(header): \(message)")
        }
        let metadata = #"{"__metadata__":{"epochs":3},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        XCTAssertTrue(failure(bytes(header: metadata, data: data)).contains("__metadata__ must map strings to strings"))
    }

    func testWrongOffsetsAreRefused() {
        let data = littleEndian((0..<4).map { Float($0).bitPattern })  // 16 bytes
        func message(_ entries: String) -> String { failure(bytes(header: "{\(entries)}", data: data)) }
        XCTAssertTrue(message(#""a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}"#)
            .contains("tensor a of shape [3] and dtype F32 needs 12 bytes, its data_offsets [0, 16] hold 16"))
        XCTAssertTrue(message(#""a":{"dtype":"F32","shape":[5],"data_offsets":[0,20]}"#)
            .contains("tensor a ends at byte 20 of a 16-byte data section"))
        XCTAssertTrue(message(#""a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}"#).contains("data_offsets [8, 4]"))
        XCTAssertTrue(message(#""a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}"#)
            .contains("tensor a of shape [4294967296, 4294967296]"))
        XCTAssertTrue(message(#""a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"#
                              + #""b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}"#)
            .contains("tensors a and b overlap"))
        XCTAssertTrue(message(#""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                              + #""b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}"#)
            .contains("bytes 8..<12 of the data section belong to no tensor"))
        XCTAssertTrue(message(#""a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}"#)
            .contains("4 bytes after the last tensor belong to no tensor"))
    }

    /// Files written by the Python safetensors package, and ours read by it.
    func testFilesOfThePythonPackageReadBothWays() throws {
        guard let probe = try runProgram("/usr/bin/env", ["python3", "-c", "import safetensors.numpy, numpy"]),
              probe.status == 0 else {
            throw XCTSkip("python3 with safetensors and numpy is not installed: no files of the reference writer")
        }
        let folder = try TemporaryDirectory()
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file, load_file
            x = np.arange(-6, 6, dtype=np.float64).reshape(3, 4) / 8
            save_file({"f32": x.astype(np.float32), "f16": x.astype(np.float16), "f64": x,
                       "steps": np.array(3, dtype=np.int64)}, sys.argv[1], metadata={"format": "np"})
            ours = load_file(sys.argv[2])
            print(ours["cls_token"].dtype, ours["cls_token"].shape, repr(ours["cls_token"].ravel().tolist()))
            """
        try sample().write(to: folder.path("ours.safetensors"))
        guard let result = try runProgram("/usr/bin/env", ["python3", "-c", script, folder.path("theirs.safetensors"),
                                                            folder.path("ours.safetensors")]),
              result.status == 0 else { return XCTFail("the Python script failed") }
        let cls = sample().tensors["cls_token"]!.data.map { "\(Double($0))" }.joined(separator: ", ")
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "float32 (1, 1, 2) [\(cls)]")

        let theirs = try SafeTensors.read(from: folder.path("theirs.safetensors"), skipping: { $0 == "steps" })
        let expected = (-6..<6).map { Float($0) / 8 }
        for name in ["f32", "f16", "f64"] { XCTAssertEqual(theirs.tensors[name], Tensor(shape: [3, 4], data: expected), name) }
        XCTAssertEqual(theirs.storedTypes, ["f32": .F32, "f16": .F16, "f64": .F64])
        XCTAssertEqual(theirs.skipped, ["steps"])
        XCTAssertEqual(theirs.metadata, ["format": "np"])
    }
}
