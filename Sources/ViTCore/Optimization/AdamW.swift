import Foundation

/// AdamW as in PyTorch (decoupled weight decay, bias-corrected moments). Pruning masks are
/// applied to the gradient and to the weight after the step, so a pruned weight stays
/// exactly zero: its moments stay zero and so does its update.
public final class AdamW {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float
    /// Completed steps; the bias correction uses step + 1.
    public private(set) var step = 0
    public private(set) var firstMoments: [String: Tensor] = [:]
    public private(set) var secondMoments: [String: Tensor] = [:]

    public init(weightDecay: Float) {
        self.weightDecay = weightDecay
    }

    /// `learningRateScale` lets a caller train some parameters slower (fine-tuning an encoder).
    public func update(_ parameters: [Parameter], learningRate: Float,
                       learningRateScale: (Parameter) -> Float = { _ in 1 }) {
        step += 1
        let correction1 = 1 - pow(beta1, Float(step)), correction2 = 1 - pow(beta2, Float(step))
        for parameter in parameters {
            let lr = learningRate * learningRateScale(parameter)
            let decay = parameter.decays ? 1 - lr * weightDecay : 1
            var m = firstMoments[parameter.name] ?? Tensor(zeros: parameter.shape)
            var v = secondMoments[parameter.name] ?? Tensor(zeros: parameter.shape)
            let (b1, b2, eps) = (beta1, beta2, epsilon)
            if let mask = parameter.mask {
                Dropout.apply(mask.data, to: &parameter.gradient)
            }
            parameter.value.data.withUnsafeMutableBufferPointer { w in
                parameter.gradient.data.withUnsafeBufferPointer { g in
                    m.data.withUnsafeMutableBufferPointer { mBuffer in
                        v.data.withUnsafeMutableBufferPointer { vBuffer in
                            parallelRanges(w.count, minimumPerWorker: 1 << 15) { range in
                                for i in range {
                                    let gradient = g[i]
                                    let mi = b1 * mBuffer[i] + (1 - b1) * gradient
                                    let vi = b2 * vBuffer[i] + (1 - b2) * gradient * gradient
                                    mBuffer[i] = mi
                                    vBuffer[i] = vi
                                    let update = (mi / correction1) / ((vi / correction2).squareRoot() + eps)
                                    w[i] = w[i] * decay - lr * update
                                }
                            }
                        }
                    }
                }
            }
            if let mask = parameter.mask {
                Dropout.apply(mask.data, to: &parameter.value)
            }
            firstMoments[parameter.name] = m
            secondMoments[parameter.name] = v
        }
    }

    /// Restores a saved state (for --resume).
    public func restore(step: Int, firstMoments: [String: Tensor], secondMoments: [String: Tensor]) {
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }
}

/// Scales all gradients so that their global L2 norm is at most `maximumNorm`; returns the norm before.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maximumNorm: Float) -> Float {
    var sumSquares: Double = 0
    for parameter in parameters {
        parameter.gradient.data.withUnsafeBufferPointer { g in
            var local: Float = 0
            for value in g { local += value * value }
            sumSquares += Double(local)
        }
    }
    let norm = Float(sumSquares.squareRoot())
    if maximumNorm > 0, norm > maximumNorm {
        let scale = maximumNorm / (norm + 1e-6)
        for parameter in parameters {
            parameter.gradient.data.withUnsafeMutableBufferPointer { g in
                for i in g.indices { g[i] *= scale }
            }
        }
    }
    return norm
}
