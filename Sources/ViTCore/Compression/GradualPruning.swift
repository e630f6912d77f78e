import Foundation

/// The cubic sparsity schedule of Zhu & Gupta (2017), "To prune, or not to prune":
/// s_t = S (1 - (1 - t/n)^3) for 0 <= t <= n, then S. It prunes fast while the network still
/// has many redundant weights and slows down as it has fewer to spare.
public struct CubicSparsitySchedule: Equatable, Sendable {
    public var finalSparsity: Double
    /// n: the steps over which sparsity rises from 0 to S.
    public var steps: Int
    /// Masks change every `interval` steps (each change ranks all pruned weights: a sort).
    public var interval: Int

    public init(finalSparsity: Double, steps: Int, interval: Int) {
        precondition(steps >= 1 && interval >= 1, "the schedule needs at least one step and a positive interval")
        self.finalSparsity = finalSparsity
        self.steps = steps
        self.interval = interval
    }

    public func sparsity(atStep t: Int) -> Double {
        let remaining = 1 - min(1, max(0, Double(t) / Double(steps)))
        return finalSparsity * (1 - remaining * remaining * remaining)
    }

    /// The sparsity to impose before step `step` (0-based) runs, or nil when the masks stay as
    /// they are. Each change jumps to the level the schedule reaches at the end of its interval,
    /// so the last interval of the ramp, and every step after it, trains at exactly S.
    public func target(beforeStep step: Int) -> Double? {
        guard step < steps, step % interval == 0 else { return nil }
        return sparsity(atStep: min(steps, step + interval))
    }
}

/// Raises the sparsity of `parameters` along a cubic schedule, one training step at a time.
/// Call `beforeStep()` at the start of every step (from the trainer's step closure).
public final class GradualPruning {
    public let parameters: [Parameter]
    public let schedule: CubicSparsitySchedule
    public let scope: PruningScope
    /// Steps seen so far.
    public private(set) var step = 0
    /// The fraction of `parameters` masked now.
    public private(set) var sparsity: Double

    public init(parameters: [Parameter], schedule: CubicSparsitySchedule, scope: PruningScope) {
        self.parameters = parameters
        self.schedule = schedule
        self.scope = scope
        sparsity = MagnitudePruning.maskedFraction(parameters)
    }

    public func beforeStep() {
        if let target = schedule.target(beforeStep: step) {
            sparsity = MagnitudePruning.prune(parameters, sparsity: target, scope: scope)
        }
        step += 1
    }
}
