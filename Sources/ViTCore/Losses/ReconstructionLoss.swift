// Mean squared error of a reconstruction y against the image t, both [B, C, S, S], over the pixels
// of the counted patches (all of them for whole-image reconstruction, the masked ones for masked
// pre-training; MAE found that scoring only what the encoder did not see learns better features).
//   L = sum_counted (y - t)^2 / n_counted,  dy = 2 (y - t) / n_counted on counted pixels, else 0

public enum ReconstructionLoss {
    /// `counted`: one flag per P x P patch, image-major ([B * G*G]); nil counts every pixel.
    public static func compute(reconstruction y: Tensor, target t: Tensor, counted: [Bool]? = nil,
                               patchSize: Int) -> (loss: Float, dReconstruction: Tensor) {
        precondition(y.shape == t.shape, "ReconstructionLoss: reconstruction \(y.shape) and target \(t.shape) differ")
        let (batch, channels, size) = (y.shape[0], y.shape[1], y.shape[2])
        let grid = size / patchSize
        var weights = [Float](repeating: 1, count: y.count)
        if let counted {
            precondition(counted.count == batch * grid * grid,
                         "ReconstructionLoss: \(counted.count) patch flags for \(batch) images of \(grid * grid) patches")
            for i in 0..<y.count {
                let (b, row, column) = (i / (channels * size * size), (i / size) % size, i % size)
                weights[i] = counted[(b * grid + row / patchSize) * grid + column / patchSize] ? 1 : 0
            }
        }
        let countedPixels = weights.reduce(0, +)
        precondition(countedPixels > 0, "ReconstructionLoss: no pixel is counted")
        var dy = Tensor(uninitialized: y.shape)
        var sum = 0.0
        for i in 0..<y.count {
            let difference = (y.data[i] - t.data[i]) * weights[i]
            sum += Double(difference * difference)
            dy.data[i] = 2 * difference / countedPixels
        }
        return (Float(sum / Double(countedPixels)), dy)
    }

    /// The image in [-1, 1] (the range of the decoder's tanh) from a batch normalised with
    /// `normalization`: a pixel v / 255 = x * std + mean becomes 2 (x * std + mean) - 1.
    public static func target(fromNormalized x: Tensor, normalization: ChannelNormalization) -> Tensor {
        let (channels, area) = (x.shape[1], x.shape[2] * x.shape[3])
        var t = Tensor(uninitialized: x.shape)
        for i in 0..<x.count {
            let c = (i / area) % channels
            t.data[i] = 2 * (x.data[i] * normalization.std[c] + normalization.mean[c]) - 1
        }
        return t
    }
}
