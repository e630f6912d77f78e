import XCTest
@testable import ViTReports
import ViTCore

final class RunSummaryTests: XCTestCase {
    func testTheDistillationSummaryNamesOnlyWhatDiffersFromTheDefaults() {
        var settings = DistillationSettings()
        XCTAssertEqual(distillationSummary(settings), "soft distillation")
        settings.alpha = 0.5
        settings.temperature = 2
        settings.balancedDistillation = true
        XCTAssertEqual(distillationSummary(settings),
                       "soft distillation T 2.0 alpha 0.5 (class-balanced in the adjusted phase)")
        var token = DistillationSettings()
        (token.kind, token.distillationToken, token.drwDistillation, token.alpha) = (.hard, true, true, 0.5)
        XCTAssertEqual(distillationSummary(token), "hard distillation + token (DRW on the teacher term)",
                       "alpha and T do not act on the hard term")
    }
}
