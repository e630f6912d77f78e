import Foundation
@testable import ViTCore

// Small data sets built in the tests, so no test depends on the real CIFAR-10 files.

/// Images with the given labels and seeded random pixels.
func syntheticImages(labels: [UInt8], seed: UInt64) -> LabeledImages {
    var generator = SeededGenerator(seed: seed)
    let pixels = (0..<labels.count * LabeledImages.imageBytes).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    return LabeledImages(pixels: pixels, labels: labels)
}

/// Labels 0, 1, ..., 9, 0, 1, ... for `count` images.
func cyclingLabels(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 10) } }

/// A fresh empty directory under the system temporary directory.
func temporaryDirectory() throws -> String {
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("vitc-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
