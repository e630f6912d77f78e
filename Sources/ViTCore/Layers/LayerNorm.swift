import Foundation

// LayerNorm over the last dimension.
//   x: [T, D], gamma, beta: [D]
//   forward:  xhat = (x - mean) * rstd,  y = xhat * gamma + beta
//   backward: dxhat = dy * gamma
//             dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
//             dgamma += sum_T dy * xhat,  dbeta += sum_T dy

public struct LayerNormCache {
    public var normalized: Tensor  // xhat [T, D]
    public var reciprocalStd: [Float]  // rstd [T]
}

public struct LayerNorm {
    public let gamma: Parameter
    public let beta: Parameter
    public let epsilon: Float

    public init(gamma: Parameter, beta: Parameter, epsilon: Float = 1e-6) {
        self.gamma = gamma
        self.beta = beta
        self.epsilon = epsilon
    }

    public func forward(_ x: Tensor, keepCache: Bool) -> (Tensor, LayerNormCache?) {
        var y = Tensor(uninitialized: x.shape)
        let cache = y.data.withUnsafeMutableBufferPointer { output in
            forward(x, keepCache: keepCache, y: output.baseAddress!, rounded: nil)
        }
        return (y, cache)
    }

    /// y rounded to bf16 in the same pass, for a bf16 product that is its only reader; y in f32
    /// is never written. The cache is `forward`'s.
    public func forwardRounded(_ x: Tensor, keepCache: Bool) -> (LinearInput, LayerNormCache?) {
        var rounded = [UInt16](uninitializedBFloat16: x.count)
        let cache = rounded.withUnsafeMutableBufferPointer { output in
            forward(x, keepCache: keepCache, y: nil, rounded: output.baseAddress!)
        }
        return (LinearInput(rounded: rounded, shape: x.shape), cache)
    }

    private func forward(_ x: Tensor, keepCache: Bool, y: UnsafeMutablePointer<Float>?,
                         rounded: UnsafeMutablePointer<UInt16>?) -> LayerNormCache? {
        let width = gamma.count, rows = x.count / width
        var normalized = Tensor(uninitialized: keepCache ? x.shape : [0])
        var reciprocalStd = [Float](repeating: 0, count: rows)
        let epsilon = self.epsilon
        x.data.withUnsafeBufferPointer { input in
            gamma.value.data.withUnsafeBufferPointer { g in
                beta.value.data.withUnsafeBufferPointer { b in
                    normalized.data.withUnsafeMutableBufferPointer { xhat in
                        reciprocalStd.withUnsafeMutableBufferPointer { rstd in
                            let (source, cached) = (input.baseAddress!, xhat.baseAddress)
                            let (gammaValues, betaValues, rstdValues) = (g.baseAddress!, b.baseAddress!, rstd.baseAddress!)
                            parallelRanges(rows, minimumPerWorker: 64) { range in
                                let offset = range.lowerBound * width
                                layerNormForwardKernel(source + offset, gammaValues, betaValues, y.map { $0 + offset },
                                                       rounded.map { $0 + offset },
                                                       keepCache ? cached! + offset : nil,
                                                       rstdValues + range.lowerBound,
                                                       rows: range.count, width: width, epsilon: epsilon)
                            }
                        }
                    }
                }
            }
        }
        return keepCache ? LayerNormCache(normalized: normalized, reciprocalStd: reciprocalStd) : nil
    }

    /// dx, or residual + dx when `residual` is given (a pre-norm block's skip connection, added in
    /// the same pass instead of a separate one; bit-identical to adding afterwards).
    public func backward(_ dy: Tensor, cache: LayerNormCache, adding residual: Tensor? = nil) -> Tensor {
        let width = gamma.count, rows = dy.count / width
        precondition(residual == nil || residual!.shape == dy.shape, "LayerNorm: residual of another shape")
        var dx = Tensor(uninitialized: dy.shape)
        let workers = rows >= 128 ? workerCount : 1
        var partialGamma = [Float](repeating: 0, count: workers * width)
        var partialBeta = [Float](repeating: 0, count: workers * width)
        dy.data.withUnsafeBufferPointer { gradOut in
            cache.normalized.data.withUnsafeBufferPointer { xhat in
                cache.reciprocalStd.withUnsafeBufferPointer { rstd in
                    gamma.value.data.withUnsafeBufferPointer { g in
                        dx.data.withUnsafeMutableBufferPointer { gradIn in
                            partialGamma.withUnsafeMutableBufferPointer { pg in
                                partialBeta.withUnsafeMutableBufferPointer { pb in
                                    let chunk = (rows + workers - 1) / workers
                                    let (d, h, r, gammaValues) = (gradOut.baseAddress!, xhat.baseAddress!, rstd.baseAddress!, g.baseAddress!)
                                    let (target, dGamma, dBeta) = (gradIn.baseAddress!, pg.baseAddress!, pb.baseAddress!)
                                    func run(_ skip: UnsafePointer<Float>?) {
                                        parallelWorkers(workers) { worker in
                                            let first = worker * chunk, count = max(0, min(rows, first + chunk) - first)
                                            let offset = first * width
                                            layerNormBackwardKernel(d + offset, h + offset, r + first, gammaValues,
                                                                    skip.map { $0 + offset }, target + offset,
                                                                    dGamma + worker * width, dBeta + worker * width,
                                                                    rows: count, width: width)
                                        }
                                    }
                                    if let residual {
                                        residual.data.withUnsafeBufferPointer { run($0.baseAddress!) }
                                    } else {
                                        run(nil)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        gamma.gradient.data.withUnsafeMutableBufferPointer { dGamma in
            beta.gradient.data.withUnsafeMutableBufferPointer { dBeta in
                for worker in 0..<workers {
                    for j in 0..<width {
                        dGamma[j] += partialGamma[worker * width + j]
                        dBeta[j] += partialBeta[worker * width + j]
                    }
                }
            }
        }
        return dx
    }
}

/// One pass per row: rstd, then xhat (training), y in f32 and/or y rounded to bf16 (for a bf16
/// product that is y's only reader).
@inline(never)
func layerNormForwardKernel(_ x: UnsafePointer<Float>, _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>,
                            _ y: UnsafeMutablePointer<Float>?, _ rounded: UnsafeMutablePointer<UInt16>?,
                            _ xhat: UnsafeMutablePointer<Float>?,
                            _ rstdOut: UnsafeMutablePointer<Float>, rows: Int, width: Int, epsilon: Float) {
    for row in 0..<rows {
        let source = x + row * width
        let mean = sumOf(source, width) / Float(width)
        let squares = centredSquaresOf(source, width, centre: mean)
        let rstd = 1 / (squares / Float(width) + epsilon).squareRoot()
        rstdOut[row] = rstd
        if let xhat {
            let cached = xhat + row * width
            for j in 0..<width { cached[j] = (source[j] - mean) * rstd }
        }
        if let y {
            let target = y + row * width
            for j in 0..<width { target[j] = (source[j] - mean) * rstd * gamma[j] + beta[j] }
        }
        if let rounded {
            let target = rounded + row * width
            for j in 0..<width { target[j] = roundedToBFloat16((source[j] - mean) * rstd * gamma[j] + beta[j]) }
        }
    }
}

@inline(never)
func layerNormBackwardKernel(_ dy: UnsafePointer<Float>, _ xhat: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
                             _ gamma: UnsafePointer<Float>, _ residual: UnsafePointer<Float>?,
                             _ dx: UnsafeMutablePointer<Float>,
                             _ dGamma: UnsafeMutablePointer<Float>, _ dBeta: UnsafeMutablePointer<Float>,
                             rows: Int, width: Int) {
    for row in 0..<rows {
        let d = dy + row * width, h = xhat + row * width, target = dx + row * width
        for j in 0..<width {
            dGamma[j] += d[j] * h[j]
            dBeta[j] += d[j]
        }
        let meanD = dotOf(d, gamma, width) / Float(width)
        var meanDH: Float = 0
        var lanes = SIMD8<Float>(repeating: 0)
        var j = 0
        while j + 8 <= width { lanes += load8(d + j) * load8(gamma + j) * load8(h + j); j += 8 }
        meanDH = lanes.sum()
        while j < width { meanDH += d[j] * gamma[j] * h[j]; j += 1 }
        meanDH /= Float(width)
        let r = rstd[row]
        if let residual {
            let skip = residual + row * width
            for j in 0..<width { target[j] = skip[j] + r * (d[j] * gamma[j] - meanD - h[j] * meanDH) }
        } else {
            for j in 0..<width { target[j] = r * (d[j] * gamma[j] - meanD - h[j] * meanDH) }
        }
    }
}
