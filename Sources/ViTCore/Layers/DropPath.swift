// Stochastic depth (timm's drop_path with scale_by_keep): a residual branch is dropped for whole samples.
//   x: [B, N, D] -> y[b] = x[b] * mask[b], mask[b] = 0 with probability p, else 1 / (1 - p);
//   backward: dx[b] = dy[b] * mask[b].
// Block i of L gets p * i / (L - 1) (timm's torch.linspace(0, p, L)): the first block is never dropped.

public enum DropPath {
    /// The rate of block `block` of `depth` for the model's rate `rate`.
    public static func rate(block: Int, depth: Int, maximum rate: Float) -> Float {
        depth > 1 ? rate * Float(block) / Float(depth - 1) : 0
    }

    /// One scaled keep-mask value per sample, drawn from `generator`.
    public static func mask(batch: Int, rate: Float, generator: inout SeededGenerator) -> [Float] {
        Dropout.mask(count: batch, rate: rate, generator: &generator)
    }

    /// The mask of `rows` of a global batch (see `Dropout.mask(count:rate:generator:rows:)`).
    public static func mask(rows: BatchRows, rate: Float, generator: inout SeededGenerator) -> [Float] {
        Dropout.mask(count: rows.count, rate: rate, generator: &generator, rows: rows)
    }

    /// Multiplies each sample's rows in place: the same function serves forward (x) and backward (dy).
    public static func apply(_ mask: [Float], to x: inout Tensor) {
        let perSample = x.count / mask.count
        x.data.withUnsafeMutableBufferPointer { values in
            for (sample, scale) in mask.enumerated() where scale != 1 {
                for i in (sample * perSample)..<((sample + 1) * perSample) { values[i] *= scale }
            }
        }
    }
}
