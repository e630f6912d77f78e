import ViTCore

/// The CPU's matrix-product peak as oneDNN reaches it: the best of `repeats` windows of a large
/// product (8192 x 1024 by 1024 x 1024, the shape of a linear layer's forward, big enough for
/// oneDNN's best blocking), in GFLOP/s. bf16 operands are rounded once beforehand, so only the
/// product is timed. A model's training speed is reported as a share of this figure.
public func matrixProductPeak(precision: Precision, seconds: Double, repeats: Int) -> Double {
    let (rows, columns, depth) = (8192, 1024, 1024)
    let shape = MatMulShape(m: rows, n: columns, k: depth, transposeB: true)
    var generator = SeededGenerator(seed: 7)
    let a = (0..<rows * depth).map { _ in generator.nextNormal() }
    let b = [Float](a.prefix(columns * depth))
    var c = [Float](repeating: 0, count: rows * columns)
    var (roundedA, roundedB) = ([UInt16](repeating: 0, count: a.count), [UInt16](repeating: 0, count: b.count))
    convertToBFloat16(a, &roundedA, count: a.count)
    convertToBFloat16(b, &roundedB, count: b.count)
    let rates = timedWindows(imagesPerCall: 1, seconds: seconds, repeats: repeats) {
        c.withUnsafeMutableBufferPointer { output in
            if precision == .bf16 {
                roundedA.withUnsafeBufferPointer { pa in
                    roundedB.withUnsafeBufferPointer { pb in
                        MatMul.multiply(shape, a: .bfloat16(pa.baseAddress!), b: .bfloat16(pb.baseAddress!),
                                        c: output.baseAddress!, precision: precision)
                    }
                }
            } else {
                MatMul.multiply(shape, a: a, b: b, c: output.baseAddress!, precision: precision)
            }
        }
    }
    return rates.max()! * 2 * Double(rows * columns * depth) / 1e9
}
