// Row softmax, in place: x: [R, C] -> p[r, c] = exp(x[r, c] - max_r) / sum_r.

public func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        softmaxKernel(values + range.lowerBound * columns, rows: range.count, columns: columns)
    }
}

/// Softmax backward, in place on dp: ds = p * (dp - sum_c(dp * p)).
public func softmaxRowsBackward(probabilities: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                rows: Int, columns: Int) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        let offset = range.lowerBound * columns
        softmaxBackwardKernel(probabilities + offset, gradient + offset, rows: range.count, columns: columns)
    }
}
