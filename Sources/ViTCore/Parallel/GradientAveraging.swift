import Foundation

extension ProcessGroup {
    /// Turns each process's gradients into the global batch's, in one all-reduce.
    /// Each process's loss is a weighted mean over its rows; `share` is its rows' part of the
    /// global batch's weight (n_r / B for a plain mean), so sum_r share_r * g_r is the gradient
    /// of the global batch's mean however unevenly the batch divides. `figures` (loss, correct
    /// count...) ride in the same buffer and come back summed; the caller scales them as it needs.
    /// The time spent is added to `DataParallel.reduceSeconds`.
    public func averageGradients(_ parameters: [Parameter], share: Float, figures: [Float]) -> [Float] {
        let start = Date()
        let total = parameters.reduce(0) { $0 + $1.count }
        var buffer = [Float](repeating: 0, count: total + figures.count)
        buffer.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for parameter in parameters {
                parameter.gradient.data.withUnsafeBufferPointer { g in
                    for i in g.indices { out[offset + i] = share * g[i] }
                }
                offset += parameter.count
            }
            for (i, figure) in figures.enumerated() { out[total + i] = figure }
        }
        sum(&buffer)
        buffer.withUnsafeBufferPointer { summed in
            var offset = 0
            for parameter in parameters {
                parameter.gradient.data.withUnsafeMutableBufferPointer { g in
                    for i in g.indices { g[i] = summed[offset + i] }
                }
                offset += parameter.count
            }
        }
        DataParallel.reduceSeconds += Date().timeIntervalSince(start)
        return Array(buffer[total...])
    }
}
