// BatchNorm over every token row (PyTorch's BatchNorm1d on x.reshape(-1, D)): the course report's
// normalisation, with statistics per channel over the batch and the tokens, so that the samples
// of a batch see each other in training.
//   x: [R, D] (R = B*N rows, any leading shape), gamma, beta, running_mean, running_var: [D]
//   training:  mean, var: per channel over the R rows (var biased, as PyTorch normalises)
//              xhat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps),  y = xhat * gamma + beta
//   inference: y = x * a + c,  a = gamma / sqrt(running_var + eps),  c = beta - a * running_mean
//   backward (training): dxhat = dy * gamma
//              dx = rstd * (dxhat - mean_R(dxhat) - xhat * mean_R(dxhat * xhat))
//              dgamma += sum_R dy * xhat,  dbeta += sum_R dy
// Forward never writes the running statistics (a teacher's forward-only pass must leave them as
// they are): training returns the batch mean and unbiased variance in its cache, and the training
// step folds them in with `updateRunningStatistics`, in one place and one order.

public struct BatchNormCache {
    public var normalized: Tensor      // xhat [R, D]
    public var reciprocalStd: [Float]  // rstd [D]
    public var batchMean: [Float]      // [D]
    /// The unbiased variance (R / (R - 1) times the biased one), which PyTorch's running_var tracks.
    public var batchVariance: [Float]  // [D]
}

public struct BatchNorm {
    public let gamma: Parameter
    public let beta: Parameter
    /// Buffers: no gradient, no optimizer, no pruning; saved and averaged with the weights.
    public let runningMean: Parameter
    public let runningVariance: Parameter
    public let epsilon: Float
    public let momentum: Float

    public init(gamma: Parameter, beta: Parameter, runningMean: Parameter, runningVariance: Parameter,
                epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.gamma = gamma
        self.beta = beta
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        self.epsilon = epsilon
        self.momentum = momentum
    }

    /// Batch statistics and a cache when `training`, the running statistics (and no cache) otherwise.
    public func forward(_ x: Tensor, training: Bool) -> (Tensor, BatchNormCache?) {
        training ? forwardTraining(x) : (forwardInference(x), nil)
    }

    func forwardTraining(_ x: Tensor) -> (Tensor, BatchNormCache) {
        let width = gamma.count, rows = x.count / width
        var y = Tensor(uninitialized: x.shape)
        var normalized = Tensor(uninitialized: x.shape)
        var mean = [Float](repeating: 0, count: width), variance = mean, unbiased = mean, rstd = mean
        let epsilon = self.epsilon
        // Columns split between workers, each summed over the rows in row order: the statistics do
        // not depend on the thread count, so a resumed run's running buffers stay bit-identical.
        x.data.withUnsafeBufferPointer { input in
            mean.withUnsafeMutableBufferPointer { meanValues in
                variance.withUnsafeMutableBufferPointer { varianceValues in
                    let (source, m, v) = (input.baseAddress!, meanValues.baseAddress!, varianceValues.baseAddress!)
                    parallelRanges(width, minimumPerWorker: max(1, 16_384 / max(1, rows))) { columns in
                        batchStatisticsKernel(source, m, v, rows: rows, width: width, columns: columns)
                    }
                }
            }
        }
        let correction = rows > 1 ? Float(rows) / Float(rows - 1) : 1
        for j in 0..<width {
            rstd[j] = 1 / (variance[j] + epsilon).squareRoot()
            unbiased[j] = variance[j] * correction
        }
        let (centre, scale, g, b) = (mean, rstd, gamma.value.data, beta.value.data)
        x.data.withUnsafeBufferPointer { input in
            y.data.withUnsafeMutableBufferPointer { output in
                normalized.data.withUnsafeMutableBufferPointer { xhat in
                    let (source, target, cached) = (input.baseAddress!, output.baseAddress!, xhat.baseAddress!)
                    parallelRanges(rows, minimumPerWorker: 64) { range in
                        for row in range {
                            let offset = row * width
                            for j in 0..<width {
                                let h = (source[offset + j] - centre[j]) * scale[j]
                                cached[offset + j] = h
                                target[offset + j] = h * g[j] + b[j]
                            }
                        }
                    }
                }
            }
        }
        return (y, BatchNormCache(normalized: normalized, reciprocalStd: rstd, batchMean: mean, batchVariance: unbiased))
    }

    /// The per-channel affine map of inference; an identity map (a folded norm, see
    /// BatchNormFolding) returns x untouched.
    func forwardInference(_ x: Tensor) -> Tensor {
        let (scale, shift) = inferenceAffine()
        if scale.allSatisfy({ $0 == 1 }) && shift.allSatisfy({ $0 == 0 }) { return x }
        let width = scale.count, rows = x.count / width
        var y = Tensor(uninitialized: x.shape)
        x.data.withUnsafeBufferPointer { input in
            y.data.withUnsafeMutableBufferPointer { output in
                let (source, target) = (input.baseAddress!, output.baseAddress!)
                parallelRanges(rows, minimumPerWorker: 64) { range in
                    for row in range {
                        let offset = row * width
                        for j in 0..<width { target[offset + j] = source[offset + j] * scale[j] + shift[j] }
                    }
                }
            }
        }
        return y
    }

    /// a = gamma / sqrt(running_var + eps), c = beta - a * running_mean: [D] each.
    public func inferenceAffine() -> (scale: [Float], shift: [Float]) {
        let scale = (0..<gamma.count).map { j in gamma.value.data[j] / (runningVariance.value.data[j] + epsilon).squareRoot() }
        let shift = (0..<gamma.count).map { j in beta.value.data[j] - scale[j] * runningMean.value.data[j] }
        return (scale, shift)
    }

    /// running = (1 - momentum) * running + momentum * batch, as PyTorch's BatchNorm1d.
    public func updateRunningStatistics(_ cache: BatchNormCache) {
        let keep = 1 - momentum
        for j in 0..<gamma.count {
            runningMean.value.data[j] = keep * runningMean.value.data[j] + momentum * cache.batchMean[j]
            runningVariance.value.data[j] = keep * runningVariance.value.data[j] + momentum * cache.batchVariance[j]
        }
    }

    public func backward(_ dy: Tensor, cache: BatchNormCache) -> Tensor {
        let width = gamma.count, rows = dy.count / width
        var dx = Tensor(uninitialized: dy.shape)
        dy.data.withUnsafeBufferPointer { gradOut in
            cache.normalized.data.withUnsafeBufferPointer { xhat in
                dx.data.withUnsafeMutableBufferPointer { gradIn in
                    gamma.gradient.data.withUnsafeMutableBufferPointer { dGamma in
                        beta.gradient.data.withUnsafeMutableBufferPointer { dBeta in
                            let (d, h, target) = (gradOut.baseAddress!, xhat.baseAddress!, gradIn.baseAddress!)
                            let (dg, db) = (dGamma.baseAddress!, dBeta.baseAddress!)
                            // Each worker owns its columns of dgamma and dbeta: no partial sums to merge.
                            parallelRanges(width, minimumPerWorker: max(1, 16_384 / max(1, rows))) { columns in
                                batchNormBackwardKernel(d, h, cache.reciprocalStd, gamma.value.data, target, dg, db,
                                                        rows: rows, width: width, columns: columns)
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// Per-column mean and biased variance (two passes, in Double) of x [R, D] for `columns`.
@inline(never)
func batchStatisticsKernel(_ x: UnsafePointer<Float>, _ mean: UnsafeMutablePointer<Float>,
                           _ variance: UnsafeMutablePointer<Float>, rows: Int, width: Int, columns: Range<Int>) {
    var sums = [Double](repeating: 0, count: columns.count)
    for row in 0..<rows {
        let source = x + row * width + columns.lowerBound
        for j in 0..<columns.count { sums[j] += Double(source[j]) }
    }
    let means = sums.map { $0 / Double(rows) }
    for j in 0..<columns.count { sums[j] = 0 }
    for row in 0..<rows {
        let source = x + row * width + columns.lowerBound
        for j in 0..<columns.count {
            let centred = Double(source[j]) - means[j]
            sums[j] += centred * centred
        }
    }
    for j in 0..<columns.count {
        mean[columns.lowerBound + j] = Float(means[j])
        variance[columns.lowerBound + j] = Float(sums[j] / Double(rows))
    }
}

/// dx = rstd * gamma * (dy - mean_R(dy) - xhat * mean_R(dy * xhat)) for `columns`, and their
/// dgamma += sum_R dy * xhat, dbeta += sum_R dy.
@inline(never)
func batchNormBackwardKernel(_ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, _ rstd: [Float],
                             _ gamma: [Float], _ dx: UnsafeMutablePointer<Float>,
                             _ dGamma: UnsafeMutablePointer<Float>, _ dBeta: UnsafeMutablePointer<Float>,
                             rows: Int, width: Int, columns: Range<Int>) {
    var sumD = [Float](repeating: 0, count: columns.count), sumDH = sumD
    for row in 0..<rows {
        let offset = row * width + columns.lowerBound
        for j in 0..<columns.count {
            sumD[j] += dy[offset + j]
            sumDH[j] += dy[offset + j] * xhat[offset + j]
        }
    }
    let count = Float(rows)
    var scale = sumD, meanD = sumD, meanDH = sumD
    for j in 0..<columns.count {
        let c = columns.lowerBound + j
        dGamma[c] += sumDH[j]
        dBeta[c] += sumD[j]
        scale[j] = rstd[c] * gamma[c]
        meanD[j] = sumD[j] / count
        meanDH[j] = sumDH[j] / count
    }
    for row in 0..<rows {
        let offset = row * width + columns.lowerBound
        for j in 0..<columns.count {
            dx[offset + j] = scale[j] * (dy[offset + j] - meanD[j] - xhat[offset + j] * meanDH[j])
        }
    }
}
