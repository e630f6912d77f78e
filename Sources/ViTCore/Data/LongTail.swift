import Foundation

/// How many images of each label `labels` holds.
public func classCounts(_ labels: [UInt8], classes: Int = 10) -> [Int] {
    var counts = [Int](repeating: 0, count: classes)
    for label in labels { counts[Int(label)] += 1 }
    return counts
}

/// The exponential profile of Cao et al. (LDAM, 2019): class i keeps floor(perClass * R^(-i/(K-1))),
/// so class 0 keeps everything and the last class keeps perClass / R.
public func longTailCounts(perClass: Int, imbalanceRatio: Double, classes: Int = 10) -> [Int] {
    (0..<classes).map { i in
        Int((Double(perClass) * pow(imbalanceRatio, -Double(i) / Double(classes - 1))).rounded(.down))
    }
}

/// A long-tailed subset of `images`: a seeded random choice of longTailCounts images per class,
/// kept in their original relative order. perClass is the smallest class of `images`
/// (5000 for the CIFAR-10 training set).
public func longTailed(_ images: LabeledImages, imbalanceRatio: Double,
                       seed: UInt64) throws -> (LabeledImages, classCounts: [Int]) {
    let (kept, counts) = try longTailedSelection(images, imbalanceRatio: imbalanceRatio, seed: seed)
    return (kept.count == images.count ? images : images.subset(kept), counts)
}

/// The positions in `images` that `longTailed` keeps (ascending), and its class counts.
public func longTailedSelection(_ images: LabeledImages, imbalanceRatio: Double,
                                seed: UInt64) throws -> (kept: [Int], classCounts: [Int]) {
    guard imbalanceRatio >= 1, imbalanceRatio.isFinite else {
        throw DataError("imbalance ratio must be at least 1, got \(imbalanceRatio)")
    }
    let classes = LabeledImages.classNames.count
    // R = 1 means the set as it is, even when its classes are not exactly balanced (a slice).
    if imbalanceRatio == 1 { return (Array(0..<images.count), classCounts(images.labels, classes: classes)) }
    var members = [[Int]](repeating: [], count: classes)
    for (index, label) in images.labels.enumerated() { members[Int(label)].append(index) }
    let targets = longTailCounts(perClass: members.map(\.count).min() ?? 0,
                                 imbalanceRatio: imbalanceRatio, classes: classes)

    var generator = SeededGenerator(seed: seed)
    var kept = [Int]()
    for (indices, target) in zip(members, targets) {
        let order = generator.permutation(indices.count)
        kept += order.prefix(target).map { indices[$0] }
    }
    kept.sort()
    return (kept, targets)
}
