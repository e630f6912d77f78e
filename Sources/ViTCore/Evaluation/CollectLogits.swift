/// The model's logits [count, K] over `images` in order, with their labels (for choosing a
/// post-hoc tau on a validation split).
public func collectLogits(_ model: VisionTransformer, on images: LabeledImages, batchSize: Int = 256,
                          precision: Precision = .f32) -> (logits: Tensor, labels: [Int32]) {
    let classes = model.config.numClasses
    let normalization = ChannelNormalization(mean: model.config.mean, std: model.config.std)
    let loader = BatchLoader.evaluation(images: images, batchSize: batchSize, normalization: normalization)
    var all = [Float](), allLabels = [Int32]()
    all.reserveCapacity(images.count * classes)
    var pixels = Tensor(zeros: [0])
    var labels: [Int32] = []
    for batch in loader.epoch(0) {
        loader.makeBatch(indices: batch, epoch: 0, into: &pixels, labels: &labels)
        all += model.forward(pixels, precision: precision).logits.data
        allLabels += labels
    }
    return (Tensor(shape: [allLabels.count, classes], data: all), allLabels)
}
