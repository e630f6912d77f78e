/// A small balanced validation set for a long-tailed run (ImageNet-LT's practice): the same
/// number of images of every class, drawn from the training images the long-tailed subset left
/// out, so that choices made by accuracy (an epoch, a tau, a compression plan) never look at the
/// test set and the training images stay as they were. A class with fewer images left out than
/// asked (at R = 100 the first class keeps all its 5,000) gives the rest from its own training
/// images, which then leave training. On a balanced set nothing is left out: every class gives
/// its share from training.
public struct BalancedValidation: Equatable, Sendable {
    /// The validation images, in the order of the full training set.
    public var images: LabeledImages
    /// Their positions in the full training set, ascending: stored with every checkpoint.
    public var indices: [Int]
    /// Per class, how many were taken from the training subset (and left it).
    public var fromTraining: [Int]
    /// The training subset's positions in the full set without those, ascending.
    public var trainingKept: [Int]
}

/// Draws `perClass` images of every class of `full` (seeded): first from the positions not in
/// `kept` (the long-tailed subset's), then, for a class without enough, from its kept ones.
public func balancedValidation(full: LabeledImages, kept: [Int], perClass: Int,
                               seed: UInt64) throws -> BalancedValidation {
    guard perClass > 0 else { throw DataError("validation images per class must be positive, got \(perClass)") }
    let classes = LabeledImages.classNames.count
    let keptSet = Set(kept)
    var leftOut = [[Int]](repeating: [], count: classes), inTraining = [[Int]](repeating: [], count: classes)
    for (index, label) in full.labels.enumerated() {
        if keptSet.contains(index) { inTraining[Int(label)].append(index) } else { leftOut[Int(label)].append(index) }
    }
    var generator = SeededGenerator(seed: seed)
    var chosen = [Int](), fromTraining = [Int](repeating: 0, count: classes)
    for label in 0..<classes {
        let spare = generator.permutation(leftOut[label].count).prefix(perClass).map { leftOut[label][$0] }
        let shortfall = perClass - spare.count
        // Keep at least one training image of every class that has any.
        let available = max(0, inTraining[label].count - 1)
        guard shortfall <= available else {
            throw DataError("class \(LabeledImages.classNames[label]) has \(spare.count + inTraining[label].count) "
                            + "training images, too few for \(perClass) validation images and training")
        }
        let taken = shortfall > 0
            ? generator.permutation(inTraining[label].count).prefix(shortfall).map { inTraining[label][$0] } : []
        fromTraining[label] = taken.count
        chosen += spare + taken
    }
    chosen.sort()
    let chosenSet = Set(chosen)
    return BalancedValidation(images: full.subset(chosen), indices: chosen, fromTraining: fromTraining,
                              trainingKept: kept.filter { !chosenSet.contains($0) })
}
