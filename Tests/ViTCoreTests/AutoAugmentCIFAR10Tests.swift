import XCTest
@testable import ViTCore

final class AutoAugmentCIFAR10Tests: XCTestCase {
    func testTableHasTwentyFiveSubPoliciesWithBinsOnlyForMagnitudeOperations() {
        let steps = AutoAugmentCIFAR10.subPolicies.flatMap { [$0.0, $0.1] }
        XCTAssertEqual(steps.count, 50)
        for step in steps {
            XCTAssertEqual(step.bin != nil, step.operation.hasMagnitude, "\(step)")
            if let bin = step.bin { XCTAssert((0..<10).contains(bin), "\(step)") }
            XCTAssert((0...1).contains(step.probability), "\(step)")
        }
    }

    func testFirstAndLastSubPoliciesAreTorchvisions() {
        let first = AutoAugmentCIFAR10.subPolicies[0], last = AutoAugmentCIFAR10.subPolicies[24]
        XCTAssertEqual(first.0, .init(operation: .invert, probability: 0.1, bin: nil))
        XCTAssertEqual(first.1, .init(operation: .contrast, probability: 0.2, bin: 6))
        XCTAssertEqual(last.0, .init(operation: .translateY, probability: 0.7, bin: 9))
        XCTAssertEqual(last.1, .init(operation: .autoContrast, probability: 0.9, bin: nil))
        // Solarize at 0.8, not 0.2, in the second-to-last but two.
        XCTAssertEqual(AutoAugmentCIFAR10.subPolicies[22].1, .init(operation: .solarize, probability: 0.8, bin: 3))
    }
}
