import XCTest
@testable import ViTCore

final class LearningRateScheduleTests: XCTestCase {
    func testWarmupRisesLinearlyThenCosineDecaysToTheMinimum() {
        let schedule = LearningRateSchedule(peak: 1, minimum: 0, warmupSteps: 10, totalSteps: 110)
        XCTAssertEqual(schedule.rate(atStep: 0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(schedule.rate(atStep: 9), 1, accuracy: 1e-6)
        XCTAssertEqual(schedule.rate(atStep: 60), 0.5, accuracy: 1e-6)
        XCTAssertEqual(schedule.rate(atStep: 110), 0, accuracy: 1e-6)
    }
}
