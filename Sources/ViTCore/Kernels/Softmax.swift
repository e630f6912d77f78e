// Row softmax, in place: x: [R, C] -> p[r, c] = exp(x[r, c] - max_r) / sum_r.

public func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        for r in range {
            let row = values + r * columns
            var maximum = row[0]
            for c in 1..<max(1, columns) { maximum = max(maximum, row[c]) }
            var sum: Float = 0
            for c in 0..<columns {
                let e = fastExp(row[c] - maximum)
                row[c] = e
                sum += e
            }
            let scale = 1 / sum
            for c in 0..<columns { row[c] *= scale }
        }
    }
}

/// Softmax backward, in place on dp: ds = p * (dp - sum_c(dp * p)).
public func softmaxRowsBackward(probabilities: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                rows: Int, columns: Int) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        for r in range {
            let p = probabilities + r * columns, d = gradient + r * columns
            var dot: Float = 0
            for c in 0..<columns { dot += p[c] * d[c] }
            for c in 0..<columns { d[c] = p[c] * (d[c] - dot) }
        }
    }
}
