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
        x = scaled(x, by: mask)
    }

    /// x with each sample's rows multiplied by its mask value, in a new tensor (one pass, both cores:
    /// scaling a copy in place would read and write it twice).
    public static func scaled(_ x: Tensor, by mask: [Float]) -> Tensor {
        precondition(!mask.isEmpty && x.count % mask.count == 0, "DropPath: \(x.count) values for \(mask.count) samples")
        return combine(x, nil, mask)
    }

    /// x + branch with each sample of the branch multiplied by its mask value: a residual add with
    /// the dropped path folded in (bit-identical to scaling first, then adding).
    public static func addScaled(_ x: Tensor, _ branch: Tensor, by mask: [Float]) -> Tensor {
        precondition(x.shape == branch.shape, "DropPath: residual \(x.shape) against branch \(branch.shape)")
        precondition(!mask.isEmpty && x.count % mask.count == 0, "DropPath: \(x.count) values for \(mask.count) samples")
        return combine(branch, x, mask)
    }

    /// y = (residual +) values * mask[sample], by samples over both cores.
    private static func combine(_ values: Tensor, _ residual: Tensor?, _ mask: [Float]) -> Tensor {
        let perSample = values.count / mask.count
        var y = Tensor(uninitialized: values.shape)
        values.data.withUnsafeBufferPointer { source in
            y.data.withUnsafeMutableBufferPointer { target in
                func run(_ skip: UnsafePointer<Float>?) {
                    parallelRanges(mask.count, minimumPerWorker: max(1, 4096 / max(1, perSample))) { samples in
                        for sample in samples {
                            let offset = sample * perSample
                            scaleKernel(source.baseAddress! + offset, skip.map { $0 + offset },
                                        target.baseAddress! + offset, mask[sample], perSample)
                        }
                    }
                }
                if let residual { residual.data.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
            }
        }
        return y
    }
}

/// y = skip + x * scale (no skip: x * scale), vectorised.
@inline(never)
func scaleKernel(_ x: UnsafePointer<Float>, _ skip: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
                 _ scale: Float, _ count: Int) {
    if let skip {
        for i in 0..<count { y[i] = skip[i] + x[i] * scale }
    } else {
        for i in 0..<count { y[i] = x[i] * scale }
    }
}
