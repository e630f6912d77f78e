// Row softmax, in place: x: [R, C] -> p[r, c] = exp(x[r, c] - max_r) / sum_r.

// With `scale`: softmax(scale * x) (attention's 1/sqrt(Dh) folded in, saving a pass).

public func softmaxRows(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int, scale: Float = 1) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        softmaxKernel(values + range.lowerBound * columns, rows: range.count, columns: columns, scale: scale)
    }
}

/// Softmax backward, in place on dp: ds = scale * p * (dp - sum_c(dp * p)), the gradient with
/// respect to x of softmax(scale * x).
public func softmaxRowsBackward(probabilities: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>,
                                rows: Int, columns: Int, scale: Float = 1) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        let offset = range.lowerBound * columns
        softmaxBackwardKernel(probabilities + offset, gradient + offset, rows: range.count, columns: columns,
                              scale: scale)
    }
}
