import XCTest
@testable import ViTCore

final class ValidationSplitTests: XCTestCase {
    // A long-tailed set of 500, 200, 50, 8, 1 images (classes 5-9 empty); pixel byte 0 holds i % 256.
    private func longTailedSet() -> LabeledImages {
        var labels = [UInt8]()
        for (label, count) in [500, 200, 50, 8, 1].enumerated() {
            labels += [UInt8](repeating: UInt8(label), count: count)
        }
        var generator = SeededGenerator(seed: 3)
        labels.shuffle(using: &generator)
        var images = LabeledImages(pixels: [UInt8](repeating: 0, count: labels.count * 3072), labels: labels)
        for i in 0..<labels.count { images.pixels[i * 3072] = UInt8(i % 256) }
        return images
    }

    func testTenPercentPerClassWithAFloorOfFiveAndNeverAWholeClass() {
        XCTAssertEqual([5000, 500, 200, 50, 8, 5, 1, 0].map {
            validationCount(classSize: $0, fraction: 0.1, minimumPerClass: 5)
        }, [500, 50, 20, 5, 5, 4, 0, 0])
        XCTAssertEqual(validationCount(classSize: 5000, fraction: 0, minimumPerClass: 5), 0)
    }

    func testTheSplitIsStratifiedDisjointAndComplete() throws {
        let images = longTailedSet()
        let split = try validationSplit(images, fraction: 0.1, seed: 1)
        XCTAssertEqual(classCounts(split.validation.labels), [50, 20, 5, 5, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(classCounts(split.train.labels), [450, 180, 45, 3, 1, 0, 0, 0, 0, 0])
        XCTAssertEqual(Set(split.trainIndices).intersection(split.validationIndices), [])
        XCTAssertEqual((split.trainIndices + split.validationIndices).sorted(), Array(0..<images.count))
        XCTAssertEqual(split.validation, images.subset(split.validationIndices))
        XCTAssertEqual(split.train, images.subset(split.trainIndices))
        XCTAssertEqual(split.trainIndices, split.trainIndices.sorted())
    }

    func testSameSeedSameSplitOtherSeedOther() throws {
        let images = longTailedSet()
        let a = try validationSplit(images, fraction: 0.1, seed: 1)
        XCTAssertEqual(try validationSplit(images, fraction: 0.1, seed: 1), a)
        XCTAssertNotEqual(try validationSplit(images, fraction: 0.1, seed: 2).validationIndices, a.validationIndices)
    }

    func testFractionZeroHoldsNothingOutAndOneIsRejected() throws {
        let images = longTailedSet()
        let split = try validationSplit(images, fraction: 0, seed: 1)
        XCTAssertEqual(split.train, images)
        XCTAssertEqual(split.validation.count, 0)
        XCTAssertThrowsError(try validationSplit(images, fraction: 1, seed: 1)) {
            XCTAssertEqual("\($0)", "validation fraction must be in [0, 1), got 1.0")
        }
    }
}
