import Foundation

/// Class-balanced weights from the effective number of samples (Cui et al. 2019), the weights
/// of LDAM-DRW's deferred re-weighting: w_c = (1 - beta) / (1 - beta^n_c), scaled so that
/// sum_c w_c = K as LDAM-DRW's code does. beta 0 gives all ones; beta -> 1 tends to 1 / n_c.
public func effectiveNumberWeights(classCounts: [Int], beta: Double) -> [Double] {
    let raw = classCounts.map { (1 - beta) / (1 - pow(beta, Double(max($0, 1)))) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total * Double(classCounts.count) }
}
