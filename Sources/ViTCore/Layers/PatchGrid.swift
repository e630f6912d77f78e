// Images cut into non-overlapping P x P patches and put back together.
//   images: [B, C, S, S] <-> patches: [B, G*G, C*P*P], G = S / P, feature c*P*P + py*P + px
//   (the memory order of a conv weight [D, C, P, P], as PatchEmbedding lays them out).
// Both are permutations, so each is the other's inverse and its backward.

public enum PatchGrid {
    public static func split(_ images: Tensor, patchSize: Int) -> Tensor {
        let (batch, channels, size) = (images.shape[0], images.shape[1], images.shape[2])
        let grid = size / patchSize
        var patches = Tensor(uninitialized: [batch, grid * grid, channels * patchSize * patchSize])
        images.data.withUnsafeBufferPointer { source in
            patches.data.withUnsafeMutableBufferPointer { target in
                permute(images: UnsafeMutablePointer(mutating: source.baseAddress!), patches: target.baseAddress!,
                        batch: batch, channels: channels, size: size, patchSize: patchSize, toPatches: true)
            }
        }
        return patches
    }

    public static func join(_ patches: Tensor, channels: Int, patchSize: Int) -> Tensor {
        let batch = patches.shape[0], grid = Int(Double(patches.shape[1]).squareRoot().rounded())
        precondition(grid * grid == patches.shape[1] && patches.shape[2] == channels * patchSize * patchSize,
                     "PatchGrid.join: \(patches.shape) is not a square grid of \(channels)x\(patchSize)x\(patchSize) patches")
        let size = grid * patchSize
        var images = Tensor(uninitialized: [batch, channels, size, size])
        patches.data.withUnsafeBufferPointer { source in
            images.data.withUnsafeMutableBufferPointer { target in
                permute(images: target.baseAddress!, patches: UnsafeMutablePointer(mutating: source.baseAddress!),
                        batch: batch, channels: channels, size: size, patchSize: patchSize, toPatches: false)
            }
        }
        return images
    }

    /// Copies one P-pixel row at a time, in the direction asked; the other buffer is only read.
    private static func permute(images: UnsafeMutablePointer<Float>, patches: UnsafeMutablePointer<Float>,
                                batch: Int, channels: Int, size: Int, patchSize p: Int, toPatches: Bool) {
        let grid = size / p, features = channels * p * p
        parallelRanges(batch, minimumPerWorker: 8) { range in
            for b in range {
                for gy in 0..<grid {
                    for gx in 0..<grid {
                        let patch = patches + ((b * grid + gy) * grid + gx) * features
                        for c in 0..<channels {
                            for py in 0..<p {
                                let row = images + ((b * channels + c) * size + gy * p + py) * size + gx * p
                                let cells = patch + (c * p + py) * p
                                if toPatches {
                                    for px in 0..<p { cells[px] = row[px] }
                                } else {
                                    for px in 0..<p { row[px] = cells[px] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
