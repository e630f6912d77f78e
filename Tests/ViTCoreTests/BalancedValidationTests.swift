import XCTest
@testable import ViTCore

final class BalancedValidationTests: XCTestCase {
    /// 200 images of each class in a shuffled order; pixel byte 0 holds i % 256.
    private func fullSet() -> LabeledImages {
        var labels = (0..<2000).map { UInt8($0 % 10) }
        var generator = SeededGenerator(seed: 5)
        labels.shuffle(using: &generator)
        var images = LabeledImages(pixels: [UInt8](repeating: 0, count: labels.count * 3072), labels: labels)
        for i in 0..<labels.count { images.pixels[i * 3072] = UInt8(i % 256) }
        return images
    }

    func testTheLeftOutImagesComeFirstAndOnlyTheShortfallLeavesTraining() throws {
        let full = fullSet()
        // At R = 100 over 200 per class the subset keeps 200, 119, ..., 2: class 0 leaves nothing out.
        let (kept, counts) = try longTailedSelection(full, imbalanceRatio: 100, seed: 1)
        XCTAssertEqual(counts.first, 200)
        let validation = try balancedValidation(full: full, kept: kept, perClass: 20, seed: 2)
        XCTAssertEqual(classCounts(validation.images.labels), [Int](repeating: 20, count: 10))
        XCTAssertEqual(validation.fromTraining, [20, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        // The validation images leave training; nothing else does, and nothing is in both.
        let keptSet = Set(kept), training = Set(validation.trainingKept)
        XCTAssertTrue(training.isSubset(of: keptSet))
        XCTAssertEqual(keptSet.subtracting(training), Set(validation.indices).intersection(keptSet))
        XCTAssertEqual(training.intersection(validation.indices), [])
        XCTAssertEqual(Set(validation.indices).intersection(keptSet).count, 20)
        XCTAssertEqual(validation.indices, validation.indices.sorted())
        XCTAssertEqual(validation.images, full.subset(validation.indices))
    }

    func testTheSameSeedDrawsTheSameSetAndAnotherSeedAnother() throws {
        let full = fullSet()
        let (kept, _) = try longTailedSelection(full, imbalanceRatio: 10, seed: 1)
        let first = try balancedValidation(full: full, kept: kept, perClass: 10, seed: 3)
        XCTAssertEqual(first, try balancedValidation(full: full, kept: kept, perClass: 10, seed: 3))
        XCTAssertNotEqual(first.indices, try balancedValidation(full: full, kept: kept, perClass: 10, seed: 4).indices)
    }

    func testABalancedSetGivesEveryClassShareFromTraining() throws {
        let full = fullSet()
        let (kept, _) = try longTailedSelection(full, imbalanceRatio: 1, seed: 1)
        let validation = try balancedValidation(full: full, kept: kept, perClass: 5, seed: 2)
        XCTAssertEqual(validation.fromTraining, [Int](repeating: 5, count: 10))
        XCTAssertEqual(validation.trainingKept.count, 2000 - 50)
    }

    func testAClassTooSmallForValidationAndTrainingIsRefused() throws {
        let full = fullSet()
        let (kept, _) = try longTailedSelection(full, imbalanceRatio: 1, seed: 1)
        XCTAssertThrowsError(try balancedValidation(full: full, kept: kept, perClass: 200, seed: 2)) { error in
            XCTAssertTrue("\(error)".contains("too few for 200 validation images"), "\(error)")
        }
        XCTAssertThrowsError(try balancedValidation(full: full, kept: kept, perClass: 0, seed: 2))
    }

    func testTheLongTailedSubsetIsTheSelectionsImages() throws {
        let full = fullSet()
        let (subset, counts) = try longTailed(full, imbalanceRatio: 100, seed: 7)
        let (kept, selectionCounts) = try longTailedSelection(full, imbalanceRatio: 100, seed: 7)
        XCTAssertEqual(subset, full.subset(kept))
        XCTAssertEqual(counts, selectionCounts)
    }
}
