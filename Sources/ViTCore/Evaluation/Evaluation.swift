import Foundation

/// Accuracy on a labelled set, with the views the long-tailed benchmark needs.
public struct EvaluationResult: Sendable {
    public var accuracy: Double
    public var perClassAccuracy: [Double]
    /// confusion[true * K + predicted]
    public var confusion: [Int]
    public var imagesPerSecond: Double
    public var count: Int

    public var classes: Int { perClassAccuracy.count }

    /// Mean per-class accuracy over the frequent (0-2), middle (3-6) and rare (7-9) classes
    /// of the CIFAR-10-LT profile.
    public var head: Double { meanAccuracy(0..<3) }
    public var medium: Double { meanAccuracy(3..<7) }
    public var tail: Double { meanAccuracy(7..<10) }

    private func meanAccuracy(_ range: Range<Int>) -> Double {
        let kept = range.filter { $0 < classes }
        return kept.isEmpty ? 0 : kept.reduce(0) { $0 + perClassAccuracy[$1] } / Double(kept.count)
    }
}

/// Runs the model forward-only over `images` in order. Throws `NonFiniteError` rather than
/// report an accuracy from NaN or infinite logits (arg-max would quietly pick class 0).
/// `logitOffsets` [K] are added to every row before the arg-max (post-hoc logit adjustment:
/// -tau log prior). Under data parallelism (`DataParallel.group`) each process evaluates its
/// contiguous share of the images and the confusion matrices are summed, so every process gets
/// the whole set's result; every process must then call it.
public func evaluate(_ model: VisionTransformer, on images: LabeledImages, batchSize: Int = 256,
                     precision: Precision = .f32, logitOffsets: [Float]? = nil) throws -> EvaluationResult {
    let classes = model.config.numClasses
    let normalization = ChannelNormalization(mean: model.config.mean, std: model.config.std)
    let group = DataParallel.group
    let share = BatchRows.share(of: images.count, rank: group.rank, ranks: group.size)
    let mine = share.isAll ? images : images.subset(Array(share.range))
    let loader = BatchLoader.evaluation(images: mine, batchSize: batchSize, normalization: normalization)
    var confusion = [Int](repeating: 0, count: classes * classes)
    var nonFinite = 0
    var pixels = Tensor(zeros: [0])
    var labels: [Int32] = []
    let start = Date()
    for batch in loader.epoch(0) where !batch.isEmpty {
        loader.makeBatch(indices: batch, epoch: 0, into: &pixels, labels: &labels)
        var logits = model.forward(pixels, precision: precision).logits
        if let logitOffsets {
            for i in 0..<logits.count { logits.data[i] += logitOffsets[i % classes] }
        }
        nonFinite += logits.data.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        // One process stops at once; several first agree (below), so that none waits for a stopped one.
        if nonFinite > 0 && share.isAll { throw NonFiniteError.logits(count: nonFinite) }
        for (row, predicted) in predictions(logits).enumerated() {
            confusion[Int(labels[row]) * classes + predicted] += 1
        }
    }
    if !share.isAll {
        var summed = confusion.map(Double.init) + [Double(nonFinite)]
        group.sum(&summed)
        nonFinite = Int(summed.removeLast())
        confusion = summed.map { Int($0) }
        if nonFinite > 0 { throw NonFiniteError.logits(count: nonFinite) }
    }
    let seconds = Date().timeIntervalSince(start)
    let perClass = (0..<classes).map { c -> Double in
        let total = (0..<classes).reduce(0) { $0 + confusion[c * classes + $1] }
        return total == 0 ? 0 : Double(confusion[c * classes + c]) / Double(total)
    }
    let correct = (0..<classes).reduce(0) { $0 + confusion[$1 * classes + $1] }
    return EvaluationResult(accuracy: Double(correct) / Double(max(1, images.count)), perClassAccuracy: perClass,
                            confusion: confusion, imagesPerSecond: Double(images.count) / max(seconds, 1e-9),
                            count: images.count)
}
