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

    func testASystemCallsFailureIsReportedByItsReason() {
        let message = "file write failed: time = Sun Dec  6 05:44:20 2026 , filename = '/tmp/full/.new.h5.tmp-2085', "
            + "file descriptor = 6, errno = 28, error message = 'No space left on device', buf = 0x5653898c9280, "
            + "total write size = 2560, bytes this sub-write = 2560, bytes actually written = 18446744073709551615, offset = 0"
        XCTAssertEqual(HDF5ErrorStack.concise(message), "No space left on device (file write failed)")
        XCTAssertEqual(HDF5ErrorStack.concise("truncated file: eof = 96"), "truncated file: eof = 96")
    }
}
