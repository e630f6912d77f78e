import XCTest
@testable import ViTStore

final class HDF5ErrorStackTests: XCTestCase {
    func testFailedCallCarriesHDF5sOwnReason() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing-directory/x.h5")
        XCTAssertThrowsError(try HDF5File.create(path)) { error in
            guard case .operationFailed(_, let action, let detail)? = error as? StoreError else {
                return XCTFail("expected operationFailed, got \(error)")
            }
            XCTAssertEqual(action, "cannot create file")
            XCTAssertNotEqual(detail, "no detail from HDF5")
        }
    }
}
