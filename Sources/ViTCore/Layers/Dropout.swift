// Inverted dropout: y = x * mask, mask = 0 or 1 / (1 - p); backward: dx = dy * mask.

public enum Dropout {
    /// The scaled keep-mask for `count` values, drawn from `generator`.
    public static func mask(count: Int, rate: Float, generator: inout SeededGenerator) -> [Float] {
        let keep = 1 / (1 - rate)
        return (0..<count).map { _ in generator.nextUniform() < rate ? 0 : keep }
    }

    /// The mask of `rows` of a global batch, `count` values in all (`count / rows.count` per row):
    /// drawn for every row and sliced, so it is the same part of the whole batch's mask.
    public static func mask(count: Int, rate: Float, generator: inout SeededGenerator, rows: BatchRows) -> [Float] {
        guard !rows.isAll else { return mask(count: count, rate: rate, generator: &generator) }
        let keep = 1 / (1 - rate)
        return rows.draw(perRow: count / rows.count, generator: &generator) { $0.nextUniform() < rate ? 0 : keep }
    }

    /// Multiplies in place: the same function serves forward (x) and backward (dy).
    public static func apply(_ mask: [Float], to x: inout Tensor) {
        x.data.withUnsafeMutableBufferPointer { values in
            mask.withUnsafeBufferPointer { m in
                multiplyKernel(values.baseAddress!, m.baseAddress!, values.count)
            }
        }
    }
}
