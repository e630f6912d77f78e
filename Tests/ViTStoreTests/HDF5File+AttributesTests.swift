import XCTest
@testable import ViTStore

final class HDF5FileAttributesTests: XCTestCase {
    var directory: TemporaryDirectory!
    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory = nil }

    func testStringIntAndDoubleRoundTripOnRootAndDataset() throws {
        let path = directory.path("x.h5")
        let file = try HDF5File.create(path)
        try file.write([1] as [Float], shape: [1], at: "/weights/head/bias")
        try file.setAttribute("command", .string("vit-train --epochs 3 — ü"))
        try file.setAttribute("seed", .int(-9_000_000_000))
        try file.setAttribute("lr", .double(3.25e-4))
        try file.setAttribute("note", .string("on a dataset"), at: "/weights/head/bias")
        try file.setAttribute("empty", .string(""), at: "/weights")
        try file.close()

        let reopened = try HDF5File.openReadOnly(path)
        XCTAssertEqual(try reopened.attribute("command"), .string("vit-train --epochs 3 — ü"))
        XCTAssertEqual(try reopened.attribute("seed"), .int(-9_000_000_000))
        XCTAssertEqual(try reopened.attribute("lr"), .double(3.25e-4))
        XCTAssertEqual(try reopened.attribute("note", at: "weights/head/bias"), .string("on a dataset"))
        XCTAssertEqual(try reopened.attribute("empty", at: "/weights"), .string(""))
        XCTAssertEqual(try reopened.attributeNames(), ["command", "lr", "seed"])
    }

    func testSettingAnAttributeAgainReplacesIt() throws {
        let file = try HDF5File.create(directory.path("x.h5"))
        try file.setAttribute("stage", .string("train"))
        try file.setAttribute("stage", .int(2))
        XCTAssertEqual(try file.attribute("stage"), .int(2))
    }

    func testMissingAttributeAndMissingObjectThrow() throws {
        let file = try HDF5File.create(directory.path("x.h5"))
        XCTAssertThrowsError(try file.attribute("seed")) { error in
            XCTAssertEqual(error as? StoreError, .missingAttribute(file: file.path, object: "/", name: "seed"))
        }
        XCTAssertThrowsError(try file.attribute("seed", at: "/nowhere")) { error in
            XCTAssertEqual(error as? StoreError, .missingObject(file: file.path, path: "/nowhere"))
        }
    }

    func testAttributesWrittenByH5pyReadAsScalarsOrThrow() throws {
        let path = directory.path("py.h5")
        let script = "import h5py, numpy; f = h5py.File('\(path)', 'w'); f.attrs['fixed'] = numpy.bytes_(b'hello'); "
                   + "f.attrs['small'] = numpy.int16(-3); f.attrs['single'] = numpy.float32(0.5); "
                   + "f.attrs['array'] = [1, 2, 3]; f.close()"
        guard let result = try runProgram("/usr/bin/env", ["python3", "-c", script]), result.status == 0 else {
            throw XCTSkip("python3 with h5py is not available")
        }
        let file = try HDF5File.openReadOnly(path)
        XCTAssertEqual(try file.attribute("fixed"), .string("hello"))
        XCTAssertEqual(try file.attribute("small"), .int(-3))
        XCTAssertEqual(try file.attribute("single"), .double(0.5))
        XCTAssertThrowsError(try file.attribute("array")) { error in
            guard case .unsupportedElementType? = error as? StoreError else { return XCTFail("\(error)") }
        }
    }
}
