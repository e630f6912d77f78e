// Convolutional patch embedding with kernel = stride = P, done as im2col + Linear.
//   images: [B, C, S, S] -> patches: [B, G*G, C*P*P] with feature index c*P*P + py*P + px
//   (the memory order of PyTorch's conv weight [D, C, P, P]) -> tokens [B, G*G, D].
// Backward needs no input gradient (the images are data), only dW and db.

public struct PatchEmbedding {
    public let projection: Linear  // weight viewed as [D, C*P*P]
    public let patchSize: Int
    public let channels: Int

    public init(projection: Linear, patchSize: Int, channels: Int) {
        self.projection = projection
        self.patchSize = patchSize
        self.channels = channels
    }

    public func patches(_ images: Tensor) -> Tensor {
        let (batch, size) = (images.shape[0], images.shape[2])
        let grid = size / patchSize, features = channels * patchSize * patchSize
        var result = Tensor(uninitialized: [batch, grid * grid, features])
        let p = patchSize, c = channels
        images.data.withUnsafeBufferPointer { source in
            result.data.withUnsafeMutableBufferPointer { target in
                parallelRanges(batch, minimumPerWorker: 8) { range in
                    for b in range {
                        for gy in 0..<grid {
                            for gx in 0..<grid {
                                let out = target.baseAddress! + ((b * grid + gy) * grid + gx) * features
                                for channel in 0..<c {
                                    for py in 0..<p {
                                        let row = source.baseAddress! + ((b * c + channel) * size + gy * p + py) * size + gx * p
                                        for px in 0..<p { out[(channel * p + py) * p + px] = row[px] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    public func forward(_ images: Tensor, precision: Precision) -> (tokens: Tensor, patches: Tensor) {
        let patches = patches(images)
        return (projection.forward(patches, precision: precision), patches)
    }

    public func backward(_ dTokens: Tensor, patches: Tensor, precision: Precision) {
        projection.backward(dTokens, input: patches, precision: precision, needsInputGradient: false)
    }
}
