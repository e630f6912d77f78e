import Foundation

/// Linear warm-up from 0 to the peak over `warmupSteps`, then cosine decay to `minimum`.
/// Evaluated per step (timm and the PyTorch reference step the schedule per batch).
public struct LearningRateSchedule: Sendable {
    public var peak: Float
    public var minimum: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, minimum: Float = 0, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    public func rate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let decaySteps = max(1, totalSteps - warmupSteps)
        let progress = min(1, Float(step - warmupSteps) / Float(decaySteps))
        return minimum + (peak - minimum) * 0.5 * (1 + cos(Float.pi * progress))
    }
}
