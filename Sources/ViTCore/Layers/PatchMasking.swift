// Masked-patch pre-training by replacement (SimMIM's choice; MAE drops the masked tokens instead,
// which is cheaper but needs a decoder that puts tokens back in place). The embeddings of masked
// patches become a learned mask token before the position embedding is added, so the encoder keeps
// every position and all shapes stay as in classification.
//   x: [B, G*G, D], masked: [B*G*G], token: [1, 1, D]
//   forward:  y[b, g] = masked[b, g] ? token : x[b, g]
//   backward: dx[b, g] = masked[b, g] ? 0 : dy[b, g];  dtoken += sum over masked (b, g) of dy[b, g]

public struct PatchMasking {
    public let token: Parameter
    /// One flag per patch of every image, image-major.
    public let masked: [Bool]

    public init(token: Parameter, masked: [Bool]) {
        self.token = token
        self.masked = masked
    }

    /// Masks exactly `maskedCount(patches:ratio:)` patches of each image, chosen uniformly.
    public static func random(token: Parameter, batch: Int, patches: Int, ratio: Float,
                              generator: inout SeededGenerator) -> PatchMasking {
        let count = maskedCount(patches: patches, ratio: ratio)
        var masked = [Bool](repeating: false, count: batch * patches)
        for b in 0..<batch {
            for g in generator.permutation(patches).prefix(count) { masked[b * patches + g] = true }
        }
        return PatchMasking(token: token, masked: masked)
    }

    /// round(ratio * patches), but at least one patch masked (the loss needs one) and one visible
    /// (with nothing visible there is nothing to reconstruct from).
    public static func maskedCount(patches: Int, ratio: Float) -> Int {
        min(patches - 1, max(1, Int((ratio * Float(patches)).rounded())))
    }

    public func forward(_ x: Tensor) -> Tensor {
        let width = token.count
        precondition(x.count == masked.count * width, "PatchMasking: \(x.shape) does not hold \(masked.count) patches of width \(width)")
        var y = x
        for (row, isMasked) in masked.enumerated() where isMasked {
            for d in 0..<width { y.data[row * width + d] = token.value.data[d] }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let width = token.count
        var dx = dy
        for (row, isMasked) in masked.enumerated() where isMasked {
            for d in 0..<width {
                token.gradient.data[d] += dy.data[row * width + d]
                dx.data[row * width + d] = 0
            }
        }
        return dx
    }
}

extension PatchMasking {
    /// The flags of `rows` of the global batch (the masks are drawn for every image, then sliced).
    public func slice(_ rows: BatchRows) -> PatchMasking {
        guard !rows.isAll else { return self }
        let patches = masked.count / rows.total
        return PatchMasking(token: token, masked: Array(masked[rows.range.lowerBound * patches ..< rows.range.upperBound * patches]))
    }
}
