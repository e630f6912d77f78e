import CHDF5
import XCTest
@testable import ViTStore

final class HDF5FileDatasetsTests: XCTestCase {
    var directory: TemporaryDirectory!
    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    /// Writes, closes, reopens: a round trip through the file, not through HDF5's caches.
    private func reopened(_ write: (HDF5File) throws -> Void) throws -> HDF5File {
        let path = directory.path("x.h5")
        let file = try HDF5File.create(path)
        try write(file)
        try file.close()
        return try HDF5File.openReadOnly(path)
    }

    func testEveryElementTypeRoundTripsExactly() throws {
        let floats = randomFloats(2 * 3 * 4 * 5, seed: 11)
        let doubles = randomFloats(7, seed: 12).map { Double($0) / 3 }
        let int8s: [Int8] = [-128, -1, 0, 1, 127, 42]
        let int32s: [Int32] = [Int32.min, -5, 0, 5, Int32.max, 1 << 20]
        let int64s: [Int64] = [Int64.min, -1, Int64.max, 1 << 40]
        let file = try reopened { file in
            try file.write(floats, shape: [2, 3, 4, 5], at: "/f32")
            try file.write(doubles, shape: [7], at: "/f64")
            try file.write(int8s, shape: [2, 3], at: "/i8")
            try file.write(int32s, shape: [3, 2], at: "/i32")
            try file.write(int64s, shape: [2, 1, 2], at: "/i64")
        }
        XCTAssertTrue(try file.read(Float.self, at: "/f32") == ([2, 3, 4, 5], floats))
        XCTAssertTrue(try file.read(Double.self, at: "/f64") == ([7], doubles))
        XCTAssertTrue(try file.read(Int8.self, at: "/i8") == ([2, 3], int8s))
        XCTAssertTrue(try file.read(Int32.self, at: "/i32") == ([3, 2], int32s))
        XCTAssertTrue(try file.read(Int64.self, at: "/i64") == ([2, 1, 2], int64s))
        XCTAssertEqual(try file.elementType(of: "/i32"), .int32)
    }

    func testScalarsAndEmptyArraysKeepTheirShape() throws {
        let file = try reopened { file in
            try file.write([3.5] as [Double], shape: [], at: "/scalar")
            try file.write([] as [Float], shape: [0, 4], at: "/empty")
        }
        XCTAssertTrue(try file.read(Double.self, at: "/scalar") == ([], [3.5]))
        XCTAssertTrue(try file.read(Float.self, at: "/empty") == ([0, 4], []))
    }

    func testCompressedDatasetsRoundTripExactly() throws {
        let floats = randomFloats(300 * 40, seed: 13)
        let file = try reopened { file in
            try file.write(floats, shape: [300, 40], at: "/w", compressed: true)
            try file.write([1, 2, 3] as [Int64], shape: [3], at: "/plain")
        }
        XCTAssertTrue(try file.read(Float.self, at: "/w") == ([300, 40], floats))
        XCTAssertTrue(try file.isCompressed("/w"))
        XCTAssertFalse(try file.isCompressed("/plain"))
    }

    func testCompressionShrinksAMostlyZeroArray() throws {
        // 90% zeros, like a heavily pruned weight matrix; 8192 rows of 256 floats = 8 MiB raw.
        var values = randomFloats(8192 * 256, seed: 14)
        for i in values.indices where i % 10 != 0 { values[i] = 0 }
        var sizes: [Bool: Int] = [:]
        for compressed in [false, true] {
            let path = directory.path("\(compressed).h5")
            let file = try HDF5File.create(path)
            try file.write(values, shape: [8192, 256], at: "/w", compressed: compressed)
            try file.close()
            sizes[compressed] = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            XCTAssertTrue(try HDF5File.openReadOnly(path).read(Float.self, at: "/w").values == values)
        }
        XCTAssertLessThan(sizes[true]! * 4, sizes[false]!, "compressed \(sizes[true]!) vs raw \(sizes[false]!) bytes")
    }

    func testEveryDatasetWithValuesCarriesAFletcher32Checksum() throws {
        let file = try reopened { file in
            try file.write(randomFloats(12, seed: 15), shape: [3, 4], at: "/plain")
            try file.write(randomFloats(12, seed: 16), shape: [3, 4], at: "/deflated", compressed: true)
            try file.write([7] as [Int64], shape: [], at: "/scalar")
            try file.write([] as [Float], shape: [0, 4], at: "/empty")
        }
        XCTAssertTrue(try file.isChecksummed("/plain"))
        XCTAssertTrue(try file.isChecksummed("/deflated"))
        XCTAssertFalse(try file.isCompressed("/plain"), "a checksum alone is not compression")
        XCTAssertTrue(try file.isCompressed("/deflated"))
        // HDF5 cannot chunk these, so they cannot be filtered; the file's SHA-256 covers them.
        XCTAssertFalse(try file.isChecksummed("/scalar"))
        XCTAssertFalse(try file.isChecksummed("/empty"))
    }

    func testADamagedChunkIsRefusedNamingTheFileAndDataset() throws {
        let path = directory.path("x.h5")
        // Values whose bytes spell a marker, so the test can find the chunk in the file.
        let marker = Array("vitc-damage-test".utf8)
        let values = marker.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let file = try HDF5File.create(path)
        try file.write(values, shape: [values.count], at: "/weights/head/bias")
        try file.close()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let offset = try XCTUnwrap((0...(bytes.count - marker.count)).first { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        bytes[offset + 5] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HDF5File.openReadOnly(path).read(Float.self, at: "/weights/head/bias")) { error in
            XCTAssertEqual("\(error)", "\(path): cannot read dataset /weights/head/bias (data error detected by Fletcher32 checksum)")
        }
    }

    func testContiguousUnfilteredDatasetsFromOlderFilesStillRead() throws {
        // Written with HDF5's defaults, as vitc wrote every dataset before it added checksums.
        let path = directory.path("old.h5")
        let values = randomFloats(6, seed: 17)
        let fileID = H5Fcreate(path, vitc_h5f_acc_trunc(), vitc_h5p_default(), vitc_h5p_default())
        let space = H5Screate_simple(2, [2, 3], nil)
        let dataset = H5Dcreate2(fileID, "w", vitc_h5t_native_float(), space, vitc_h5p_default(), vitc_h5p_default(), vitc_h5p_default())
        XCTAssertGreaterThanOrEqual(H5Dwrite(dataset, vitc_h5t_native_float(), vitc_h5s_all(), vitc_h5s_all(), vitc_h5p_default(), values), 0)
        H5Dclose(dataset)
        H5Sclose(space)
        H5Fclose(fileID)
        let file = try HDF5File.openReadOnly(path)
        XCTAssertFalse(try file.isChecksummed("/w"))
        XCTAssertTrue(try file.read(Float.self, at: "/w") == ([2, 3], values))
    }

    func testReadingAsTheWrongElementTypeThrows() throws {
        let file = try reopened { try $0.write([1, 2] as [Int64], shape: [2], at: "/logs/epoch") }
        XCTAssertThrowsError(try file.read(Float.self, at: "/logs/epoch")) { error in
            XCTAssertEqual(error as? StoreError, .wrongElementType(file: file.path, path: "/logs/epoch",
                                                                  stored: .int64, requested: .float32))
        }
    }

    func testShapeAndValueCountMismatchThrowsBeforeAnythingIsCreated() throws {
        let file = try HDF5File.create(directory.path("x.h5"))
        XCTAssertThrowsError(try file.write([1, 2, 3] as [Float], shape: [2, 2], at: "/a/b")) { error in
            XCTAssertEqual(error as? StoreError,
                           .valueCountMismatch(file: file.path, path: "/a/b", shape: [2, 2], count: 3))
        }
        XCTAssertFalse(try file.exists("/a"))
    }

    func testReadingAMissingDatasetNamesIt() throws {
        let file = try reopened { try $0.write([1] as [Float], shape: [1], at: "/weights/x") }
        XCTAssertThrowsError(try file.read(Float.self, at: "/weights/head/weight")) { error in
            XCTAssertEqual(error as? StoreError, .missingDataset(file: file.path, path: "/weights/head/weight"))
        }
    }

    func testWritingOverAnExistingDatasetThrows() throws {
        let file = try HDF5File.create(directory.path("x.h5"))
        try file.write([1] as [Float], shape: [1], at: "/a")
        XCTAssertThrowsError(try file.write([2] as [Float], shape: [1], at: "/a"))
    }
}
