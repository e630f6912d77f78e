import XCTest
@testable import ViTStore

final class HDF5FileTests: XCTestCase {
    var directory: TemporaryDirectory!
    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    func testOpeningAMissingFileThrowsMissingFile() {
        let path = directory.path("absent.h5")
        XCTAssertThrowsError(try HDF5File.openReadOnly(path)) { error in
            XCTAssertEqual(error as? StoreError, .missingFile(file: path))
        }
    }

    func testOpeningATextFileThrowsNotHDF5() throws {
        let path = directory.path("notes.h5")
        try "not hdf5 at all\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try HDF5File.openReadOnly(path)) { error in
            XCTAssertEqual(error as? StoreError, .notHDF5(file: path))
        }
    }

    func testOpeningATruncatedFileThrowsInsteadOfCrashing() throws {
        let path = directory.path("cut.h5")
        let file = try HDF5File.create(path)
        try file.write(randomFloats(4096, seed: 1), shape: [64, 64], at: "/a/b")
        try file.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try HDF5File.openReadOnly(path)) { error in
            _ = assertOneLineNaming(path, error)
        }
    }

    func testExistsFollowsNestedPathsAndToleratesMissingParents() throws {
        let file = try HDF5File.create(directory.path("x.h5"))
        try file.write([1, 2] as [Float], shape: [2], at: "weights/blocks/0/bias")
        XCTAssertTrue(try file.exists("/"))
        XCTAssertTrue(try file.exists("/weights/blocks"))
        XCTAssertTrue(try file.exists("weights/blocks/0/bias"))
        XCTAssertFalse(try file.exists("/weights/blocks/1/bias"))
        XCTAssertFalse(try file.exists("/masks"))
        XCTAssertFalse(try file.exists("/weights/blocks/0/bias/below-a-dataset"))
    }

    func testDatasetPathsListsDatasetsAtEveryDepthButNotGroups() throws {
        let file = try HDF5File.create(directory.path("x.h5"))
        for path in ["/w/blocks/10/b", "/w/blocks/2/b", "/w/head", "/other/x"] {
            try file.write([0] as [Int8], shape: [1], at: path)
        }
        XCTAssertEqual(try file.datasetPaths(under: "/w"), ["/w/blocks/10/b", "/w/blocks/2/b", "/w/head"])
        XCTAssertEqual(try file.datasetPaths().count, 4)
        XCTAssertThrowsError(try file.datasetPaths(under: "/absent"))
    }

    func testPathsWithEmptyOrDotComponentsAreRejected() throws {
        let file = try HDF5File.create(directory.path("x.h5"))
        for bad in ["a//b", "a/./b", "a/", "../a"] {
            XCTAssertThrowsError(try file.write([1] as [Float], shape: [1], at: bad), bad) { error in
                guard case .invalidName? = error as? StoreError else { return XCTFail("\(error)") }
            }
        }
    }

    func testCloseTwiceIsHarmlessAndDataSurvivesReopening() throws {
        let path = directory.path("x.h5")
        let file = try HDF5File.create(path)
        try file.write([7] as [Int32], shape: [], at: "/n")
        try file.close()
        try file.close()
        XCTAssertEqual(try HDF5File.openReadOnly(path).read(Int32.self, at: "/n").values, [7])
    }
}
