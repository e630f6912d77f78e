import XCTest
@testable import ViTCore

final class EvaluationTests: XCTestCase {
    func testHeadMediumAndTailAverageTheirClassesAccuracies() {
        let perClass = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
        let result = EvaluationResult(accuracy: 0.55, perClassAccuracy: perClass, confusion: [], imagesPerSecond: 0,
                                      count: 100)
        XCTAssertEqual(result.head, 0.9, accuracy: 1e-12)
        XCTAssertEqual(result.medium, 0.55, accuracy: 1e-12)
        XCTAssertEqual(result.tail, 0.2, accuracy: 1e-12)
    }

    func testConfusionAndAccuracyAgreeWithTheModelsPredictions() throws {
        let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        let images = syntheticImages(labels: (0..<30).map { UInt8($0 % 10) }, seed: 2)
        let result = try evaluate(model, on: images, batchSize: 7)
        XCTAssertEqual(result.confusion.reduce(0, +), 30)
        let diagonal = (0..<10).reduce(0) { $0 + result.confusion[$1 * 10 + $1] }
        XCTAssertEqual(result.accuracy, Double(diagonal) / 30, accuracy: 1e-12)
        for c in 0..<10 { XCTAssertEqual((0..<10).reduce(0) { $0 + result.confusion[c * 10 + $1] }, 3) }
    }

    func testNonFiniteLogitsAreRefusedRatherThanScored() throws {
        let model = try VisionTransformer(config: ModelConfig.student.withTinyShape(), seed: 1)
        model.byName["head.bias"]!.value.data[3] = .nan
        let images = syntheticImages(labels: (0..<10).map { UInt8($0) }, seed: 2)
        XCTAssertThrowsError(try evaluate(model, on: images)) { error in
            XCTAssertTrue(error is NonFiniteError)
            XCTAssertTrue("\(error)".contains("not finite"))
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}

extension ModelConfig {
    /// The same architecture family at a size that evaluates instantly.
    func withTinyShape() -> ModelConfig {
        var config = self
        config.dim = 8
        config.depth = 1
        config.heads = 2
        config.mlpDim = 8
        config.patchSize = 8
        return config
    }
}
