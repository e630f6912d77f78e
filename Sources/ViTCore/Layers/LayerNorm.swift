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
        let width = gamma.count, rows = x.count / width
        var y = Tensor(uninitialized: x.shape)
        var normalized = keepCache ? Tensor(uninitialized: x.shape) : Tensor(zeros: [0])
        var reciprocalStd = [Float](repeating: 0, count: keepCache ? rows : 0)
        let epsilon = self.epsilon
        x.data.withUnsafeBufferPointer { input in
            gamma.value.data.withUnsafeBufferPointer { g in
                beta.value.data.withUnsafeBufferPointer { b in
                    y.data.withUnsafeMutableBufferPointer { output in
                        normalized.data.withUnsafeMutableBufferPointer { xhat in
                            reciprocalStd.withUnsafeMutableBufferPointer { rstdOut in
                                parallelRanges(rows, minimumPerWorker: 64) { range in
                                    for row in range {
                                        let source = input.baseAddress! + row * width
                                        let target = output.baseAddress! + row * width
                                        var sum: Float = 0
                                        for j in 0..<width { sum += source[j] }
                                        let mean = sum / Float(width)
                                        var squares: Float = 0
                                        for j in 0..<width {
                                            let centred = source[j] - mean
                                            squares += centred * centred
                                        }
                                        let rstd = 1 / (squares / Float(width) + epsilon).squareRoot()
                                        for j in 0..<width {
                                            target[j] = (source[j] - mean) * rstd * g[j] + b[j]
                                        }
                                        if keepCache {
                                            let cached = xhat.baseAddress! + row * width
                                            for j in 0..<width { cached[j] = (source[j] - mean) * rstd }
                                            rstdOut[row] = rstd
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (y, keepCache ? LayerNormCache(normalized: normalized, reciprocalStd: reciprocalStd) : nil)
    }

    public func backward(_ dy: Tensor, cache: LayerNormCache) -> Tensor {
        let width = gamma.count, rows = dy.count / width
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
                                    parallelWorkers(workers) { worker in
                                        let dGamma = pg.baseAddress! + worker * width
                                        let dBeta = pb.baseAddress! + worker * width
                                        for row in (worker * chunk)..<min(rows, (worker + 1) * chunk) {
                                            let d = gradOut.baseAddress! + row * width
                                            let h = xhat.baseAddress! + row * width
                                            var meanD: Float = 0, meanDH: Float = 0
                                            for j in 0..<width {
                                                let dh = d[j] * g[j]
                                                meanD += dh
                                                meanDH += dh * h[j]
                                                dGamma[j] += d[j] * h[j]
                                                dBeta[j] += d[j]
                                            }
                                            meanD /= Float(width)
                                            meanDH /= Float(width)
                                            let target = gradIn.baseAddress! + row * width
                                            let r = rstd[row]
                                            for j in 0..<width {
                                                target[j] = r * (d[j] * g[j] - meanD - h[j] * meanDH)
                                            }
                                        }
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
