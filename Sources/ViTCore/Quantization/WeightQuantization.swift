/// Symmetric int8 quantization per output channel: W[n, :] ~ q[n, :] * scale[n], q in -127...127.
/// Symmetric, so zero weights (pruned ones) stay exactly zero; -128 is unused so that the range
/// is the same on both sides. A row of zeros gets scale 1 (its q are 0 whatever the scale).
public enum WeightQuantization {
    /// weight: [N, ...] (a conv weight [D, C, P, P] is [N = D, K = C*P*P]) -> q: [N, K], scales: [N].
    public static func quantize(_ weight: Tensor) -> (values: [Int8], scales: [Float]) {
        let rows = weight.shape[0], columns = weight.count / max(1, rows)
        var values = [Int8](repeating: 0, count: weight.count)
        var scales = [Float](repeating: 1, count: rows)
        for n in 0..<rows {
            let row = weight.data[n * columns ..< (n + 1) * columns]
            let largest = row.reduce(Float(0)) { max($0, abs($1)) }
            if largest > 0 { scales[n] = largest / 127 }
            for (j, w) in row.enumerated() {
                let q = (w / scales[n]).rounded(.toNearestOrEven)
                values[n * columns + j] = Int8(min(max(q, -127), 127))
            }
        }
        return (values, scales)
    }

    /// q * scale, shaped like the original weight.
    public static func dequantize(_ values: [Int8], scales: [Float], shape: [Int]) -> Tensor {
        let rows = shape[0], columns = values.count / max(1, rows)
        var data = [Float](repeating: 0, count: values.count)
        for n in 0..<rows {
            for j in 0..<columns { data[n * columns + j] = Float(values[n * columns + j]) * scales[n] }
        }
        return Tensor(shape: shape, data: data)
    }
}
