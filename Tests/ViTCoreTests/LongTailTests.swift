import XCTest
@testable import ViTCore

final class LongTailTests: XCTestCase {
    // 5000 images per class like the CIFAR-10 training set; the pixels play no part.
    private let balanced = LabeledImages(pixels: [UInt8](repeating: 0, count: 50_000 * 3072),
                                         labels: cyclingLabels(50_000))

    func testRatioOneKeepsAnUnevenSliceWhole() throws {
        let uneven = syntheticImages(labels: [0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9], seed: 1)
        let (subset, counts) = try longTailed(uneven, imbalanceRatio: 1, seed: 0)
        XCTAssertEqual(subset, uneven)
        XCTAssertEqual(counts, [3, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    }

    func testTotalsMatchThePublishedLongTailedSets() throws {
        // CIFAR-10-LT sizes reported by Cao et al. (LDAM) and later work.
        for (ratio, total) in [(100.0, 12_406), (50.0, 13_996), (10.0, 20_431), (1.0, 50_000)] {
            let (subset, counts) = try longTailed(balanced, imbalanceRatio: ratio, seed: 0)
            XCTAssertEqual(subset.count, total, "R=\(ratio)")
            XCTAssertEqual(counts.reduce(0, +), total, "R=\(ratio)")
            XCTAssertEqual(classCounts(subset.labels), counts, "R=\(ratio)")
        }
        XCTAssertEqual(longTailCounts(perClass: 5000, imbalanceRatio: 100),
                       [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50])
    }

    func testSameSeedSameSubsetOtherSeedOther() throws {
        let images = syntheticImages(labels: cyclingLabels(500), seed: 5)
        let (a, _) = try longTailed(images, imbalanceRatio: 10, seed: 1)
        let (b, _) = try longTailed(images, imbalanceRatio: 10, seed: 1)
        let (c, _) = try longTailed(images, imbalanceRatio: 10, seed: 2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.count, c.count)
        XCTAssertNotEqual(a.pixels, c.pixels)
    }

    func testKeptImagesKeepTheirOriginalOrder() throws {
        // Pixel byte 0 of image i holds i, so the kept images' first bytes must rise.
        var images = LabeledImages(pixels: [UInt8](repeating: 0, count: 200 * 3072), labels: cyclingLabels(200))
        for i in 0..<200 { images.pixels[i * 3072] = UInt8(i) }
        let (subset, _) = try longTailed(images, imbalanceRatio: 5, seed: 3)
        let firsts = (0..<subset.count).map { subset.pixels[$0 * 3072] }
        XCTAssertEqual(firsts, firsts.sorted())
        for (k, first) in firsts.enumerated() { XCTAssertEqual(subset.labels[k], UInt8(first % 10)) }
    }

    func testRatioBelowOneIsRejected() {
        XCTAssertThrowsError(try longTailed(balanced, imbalanceRatio: 0.5, seed: 0)) { error in
            XCTAssertEqual((error as? DataError)?.description, "imbalance ratio must be at least 1, got 0.5")
        }
    }
}
