/// First-order Taylor importance (Molchanov et al. 2019, "Importance Estimation for Neural Network
/// Pruning"): setting weight w to zero changes the loss by about g w, g the loss gradient. The
/// score of a weight is the root mean square of g_b w over calibration batches b,
/// sqrt(mean_b (g_b w)^2), so a weight matters when the data pulls on it, however small it is.
/// Summed over a head's or neuron's weights (as squares) it is the group score the paper favours
/// for structured pruning.
public struct TaylorCriterion: PruningCriterion {
    /// mean_b (g_b w)^2 per weight, by parameter name.
    public let meanSquaredContribution: [String: Tensor]
    public var kind: PruningCriterionKind { .taylor }

    public init(meanSquaredContribution: [String: Tensor]) {
        self.meanSquaredContribution = meanSquaredContribution
    }

    /// Gradients of the label loss on each batch (forward with caches, no dropout, no update).
    /// The model's weights are untouched; its gradients are left zeroed.
    public static func measure(_ model: VisionTransformer, batches: [(images: Tensor, labels: [Int32])],
                               loss: ClassificationLoss, epoch: Int, precision: Precision,
                               parameters: [Parameter]) -> TaylorCriterion {
        var sums = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, Tensor(zeros: $0.shape)) })
        for batch in batches {
            model.zeroGradients()
            let output = model.forward(batch.images, precision: precision, keepCache: true)
            let result = loss.compute(logits: output.logits, targets: MixedTargets(labels: batch.labels), epoch: epoch)
            let distillation = output.distillationLogits.map {
                loss.compute(logits: $0, targets: MixedTargets(labels: batch.labels), epoch: epoch).dLogits
            }
            model.backward(dLogits: result.dLogits, dDistillationLogits: distillation, cache: output.cache!,
                           precision: precision)
            for parameter in parameters {
                sums[parameter.name]!.data.withUnsafeMutableBufferPointer { s in
                    parameter.value.data.withUnsafeBufferPointer { w in
                        parameter.gradient.data.withUnsafeBufferPointer { g in
                            for i in s.indices { s[i] += (g[i] * w[i]) * (g[i] * w[i]) }
                        }
                    }
                }
            }
        }
        model.zeroGradients()
        let count = Float(max(batches.count, 1))
        for name in sums.keys {
            sums[name]!.data.withUnsafeMutableBufferPointer { s in for i in s.indices { s[i] /= count } }
        }
        return TaylorCriterion(meanSquaredContribution: sums)
    }

    /// Measured on `batches` shuffled, unaugmented batches of `images` (a seeded order).
    public static func measure(_ model: VisionTransformer, on images: LabeledImages, batches: Int, batchSize: Int,
                               seed: UInt64, loss: ClassificationLoss, precision: Precision,
                               parameters: [Parameter]) -> TaylorCriterion {
        let loader = BatchLoader(images: images, batchSize: batchSize, augmentation: .none,
                                 normalization: ChannelNormalization(mean: model.config.mean, std: model.config.std),
                                 shuffle: true, dropLast: false, seed: seed)
        var data: [(images: Tensor, labels: [Int32])] = []
        for indices in loader.epoch(0).prefix(batches) {
            var pixels = Tensor(zeros: [0]), labels: [Int32] = []
            loader.makeBatch(indices: indices, epoch: 0, into: &pixels, labels: &labels)
            data.append((pixels, labels))
        }
        return measure(model, batches: data, loss: loss, epoch: 0, precision: precision, parameters: parameters)
    }

    public func scores(_ parameter: Parameter) -> Tensor {
        guard var scores = meanSquaredContribution[parameter.name] else {
            preconditionFailure("TaylorCriterion has no gradients of \(parameter.name): measure it on the pruned parameters")
        }
        scores.data.withUnsafeMutableBufferPointer { s in for i in s.indices { s[i] = s[i].squareRoot() } }
        return scores
    }
}
