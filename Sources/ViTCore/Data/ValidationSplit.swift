/// A class-stratified hold-out of a training set, for choosing values by accuracy (logit
/// adjustment tau, the DRW epoch, the post-hoc tau) without looking at the test set.
public struct ValidationSplit: Equatable, Sendable {
    public var train: LabeledImages
    public var validation: LabeledImages
    /// Positions in the set that was split, ascending: store them with the checkpoint.
    public var trainIndices: [Int]
    public var validationIndices: [Int]
}

/// How many of a class's n images go to validation: round(fraction * n), at least
/// `minimumPerClass` (the rare classes of CIFAR-10-LT have 50 images: 10% is 5), and never
/// all of them. Fraction 0 holds nothing out.
public func validationCount(classSize n: Int, fraction: Double, minimumPerClass: Int) -> Int {
    guard fraction > 0 else { return 0 }
    return min(max(Int((fraction * Double(n)).rounded()), minimumPerClass), max(n - 1, 0))
}

/// Splits `images` per class with a seeded random choice; both parts keep the original order.
public func validationSplit(_ images: LabeledImages, fraction: Double, minimumPerClass: Int = 5,
                            seed: UInt64) throws -> ValidationSplit {
    guard (0..<1).contains(fraction) else {
        throw DataError("validation fraction must be in [0, 1), got \(fraction)")
    }
    let classes = LabeledImages.classNames.count
    var members = [[Int]](repeating: [], count: classes)
    for (index, label) in images.labels.enumerated() { members[Int(label)].append(index) }
    var generator = SeededGenerator(seed: seed)
    var held = [Int]()
    for indices in members {
        let order = generator.permutation(indices.count)
        let count = validationCount(classSize: indices.count, fraction: fraction, minimumPerClass: minimumPerClass)
        held += order.prefix(count).map { indices[$0] }
    }
    held.sort()
    let heldSet = Set(held)
    let kept = images.labels.indices.filter { !heldSet.contains($0) }
    return ValidationSplit(train: images.subset(kept), validation: images.subset(held),
                           trainIndices: kept, validationIndices: held)
}
