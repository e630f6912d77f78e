import XCTest
@testable import ViTCore

final class AugmentationPolicyTests: XCTestCase {
    private let image = syntheticImages(labels: [0], seed: 31).pixels

    private func apply(_ policy: AugmentationPolicy, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return withByteImage(image, height: 32, width: 32) { policy.apply(to: $0, generator: &generator) }
    }

    func testNoneKeepsTheImage() {
        XCTAssertEqual(apply(.none, seed: 1), image)
    }

    func testSameSeedGivesSameImageAndSeedsVary() {
        for policy in [AugmentationPolicy.autoAugment, .randAugment, .trivialAugment] {
            XCTAssertEqual(apply(policy, seed: 5), apply(policy, seed: 5), "\(policy)")
            let results = Set((0..<20).map { apply(policy, seed: UInt64($0)) })
            XCTAssertGreaterThan(results.count, 5, "\(policy)")
        }
    }

    func testAutoAugmentFollowsTorchvisionsDrawOrder() {
        // Replays the documented draws: sub-policy, two probabilities, two signs (0 = negative).
        for seed in UInt64(0)..<40 {
            var generator = SeededGenerator(seed: seed)
            let subPolicy = AutoAugmentCIFAR10.subPolicies[generator.nextInt(below: 25)]
            let draws = [generator.nextUniform(), generator.nextUniform()]
            let negative = [generator.nextInt(below: 2) == 0, generator.nextInt(below: 2) == 0]
            let expected = withByteImage(image, height: 32, width: 32) { view in
                for (k, step) in [subPolicy.0, subPolicy.1].enumerated() where draws[k] <= step.probability {
                    var magnitude = step.bin.map { MagnitudeSpace.standard(side: 32).magnitude(step.operation, bin: $0, bins: 10) } ?? 0
                    if step.operation.isSigned && negative[k] { magnitude = -magnitude }
                    step.operation.apply(to: view, magnitude: magnitude)
                }
            }
            XCTAssertEqual(apply(.autoAugment, seed: seed), expected, "seed \(seed)")
        }
    }

    func testTrivialAugmentDrawsOneOperationAndAnyBin() {
        for seed in UInt64(0)..<40 {
            var generator = SeededGenerator(seed: seed)
            let operation = AugmentationPolicy.randomOperations[generator.nextInt(below: 14)]
            let bin = operation.hasMagnitude ? generator.nextInt(below: 31) : 0
            var magnitude = MagnitudeSpace.wide.magnitude(operation, bin: bin, bins: 31)
            if operation.isSigned && generator.nextInt(below: 2) == 1 { magnitude = -magnitude }
            let expected = withByteImage(image, height: 32, width: 32) { operation.apply(to: $0, magnitude: magnitude) }
            XCTAssertEqual(apply(.trivialAugment, seed: seed), expected, "seed \(seed)")
        }
    }

    func testRandAugmentAppliesTheGivenNumberOfOperationsAtTheGivenBin() {
        for seed in UInt64(0)..<20 {
            var generator = SeededGenerator(seed: seed)
            let expected = withByteImage(image, height: 32, width: 32) { view in
                for _ in 0..<3 {
                    let operation = AugmentationPolicy.randomOperations[generator.nextInt(below: 14)]
                    var magnitude = MagnitudeSpace.standard(side: 32).magnitude(operation, bin: 20, bins: 31)
                    if operation.isSigned && generator.nextInt(below: 2) == 1 { magnitude = -magnitude }
                    operation.apply(to: view, magnitude: magnitude)
                }
            }
            var replay = SeededGenerator(seed: seed)
            let output = withByteImage(image, height: 32, width: 32) {
                AugmentationPolicy.randAugment.apply(to: $0, generator: &replay, randAugmentOperations: 3, randAugmentMagnitude: 20)
            }
            XCTAssertEqual(output, expected, "seed \(seed)")
        }
    }

    func testRandomOperationsAreTorchvisionsFourteenWithoutInvert() {
        XCTAssertEqual(AugmentationPolicy.randomOperations.count, 14)
        XCTAssertFalse(AugmentationPolicy.randomOperations.contains(.invert))
    }

    func testNamesParse() {
        XCTAssertEqual(AugmentationPolicy(rawValue: "auto-augment"), .autoAugment)
        XCTAssertEqual(AugmentationPolicy(rawValue: "rand-augment"), .randAugment)
        XCTAssertEqual(AugmentationPolicy(rawValue: "trivial-augment"), .trivialAugment)
        XCTAssertEqual(AugmentationPolicy(rawValue: "none"), AugmentationPolicy.none)
    }
}
