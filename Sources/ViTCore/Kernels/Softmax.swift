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

/// `softmaxRows` that also writes each row's probabilities rounded to bf16 (for attention's bf16
/// PV product) while the row is still in cache: one pass over the scores instead of two.
public func softmaxRowsRounded(_ values: UnsafeMutablePointer<Float>, rounded: UnsafeMutablePointer<UInt16>,
                               rows: Int, columns: Int, scale: Float = 1) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        let offset = range.lowerBound * columns
        softmaxRoundedKernel(values + offset, rounded + offset, rows: range.count, columns: columns, scale: scale)
    }
}

/// `softmaxRowsBackward` that writes ds rounded to bf16 alone (attention's bf16 dq and dk products
/// read nothing else), leaving dp as it was: the f32 ds is never stored.
public func softmaxRowsBackwardRounded(probabilities: UnsafePointer<Float>, gradient: UnsafePointer<Float>,
                                       rounded: UnsafeMutablePointer<UInt16>, rows: Int, columns: Int,
                                       scale: Float = 1) {
    parallelRanges(rows, minimumPerWorker: 256) { range in
        let offset = range.lowerBound * columns
        softmaxBackwardRoundedKernel(probabilities + offset, gradient + offset, rounded + offset, rows: range.count,
                                     columns: columns, scale: scale)
    }
}
