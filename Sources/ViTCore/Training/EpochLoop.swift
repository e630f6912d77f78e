import Foundation

/// The batches of one epoch, as `Trainer` and `Pretrainer` both run them: make each batch (mixed
/// when the settings say so), take the step at the scheduled learning rate, stop at a non-finite
/// loss or gradient norm, add up what the step reports, and print progress ten times an epoch
/// with the time left for the run.
struct EpochLoop {
    let plan: EpochPlan
    /// All epochs of the run and the first one this process trains (a resumed run starts later).
    let epochs: Int, firstEpoch: Int
    let runStart: Date
    /// Pre-training's steps report a loss alone: no accuracy in the progress lines, no gradient
    /// norm to check (theirs is NaN).
    let lossOnly: Bool

    /// What an epoch's steps add up to.
    struct Totals {
        var lossSum = 0.0, auxiliarySum: Double?, correct = 0, seen = 0
        var learningRate: Float = 0
        let start = Date()
        /// Seconds inside the steps, and the part of them spent in gradient all-reduces.
        var stepSeconds = 0.0, reduceSeconds = 0.0

        /// ", 2 processes, all-reduce 12.3% of step time" when the run is data parallel, else "".
        var parallelSummary: String {
            let ranks = DataParallel.group.size
            guard ranks > 1 else { return "" }
            return String(format: ", %d processes, all-reduce %.1f%% of step time", ranks,
                          100 * reduceSeconds / max(stepSeconds, 1e-9))
        }

        var meanLoss: Double { lossSum / Double(max(seen, 1)) }
        var accuracy: Double { Double(correct) / Double(max(seen, 1)) }
        var meanAuxiliary: Double? { auxiliarySum.map { $0 / Double(max(seen, 1)) } }
    }

    /// One step: (normalised images, targets, learning rate, dropout seed, global step) -> its result.
    typealias Step = (_ images: Tensor, _ targets: MixedTargets, _ learningRate: Float, _ dropoutSeed: UInt64,
                      _ globalStep: Int) throws -> StepResult

    func run(epoch: Int, progress: (String) -> Void, step: Step) throws -> Totals {
        let loader = plan.loader, perEpoch = loader.batchesPerEpoch
        let reportEvery = max(1, perEpoch / 10)
        var pixels = Tensor(zeros: [0])
        var labels: [Int32] = []
        var totals = Totals()
        for (index, batch) in loader.epoch(epoch).enumerated() {
            let globalStep = epoch * perEpoch + index
            let mixed = loader.makeBatch(indices: batch, epoch: epoch, step: globalStep, into: &pixels, labels: &labels)
            totals.learningRate = plan.schedule.rate(atStep: globalStep)
            let stepStart = Date(), reducedBefore = DataParallel.reduceSeconds
            let result = try step(pixels, mixed ?? MixedTargets(labels: labels), totals.learningRate,
                                  plan.dropoutSeed(step: globalStep), globalStep)
            totals.stepSeconds += Date().timeIntervalSince(stepStart)
            totals.reduceSeconds += DataParallel.reduceSeconds - reducedBefore
            if let signal = RunInterruption.agreed {
                throw RunInterrupted(signal: signal, completedEpochs: epoch, epochs: epochs)
            }
            guard result.loss.isFinite && (lossOnly || result.gradientNorm.isFinite) else {
                throw NonFiniteError.step(epoch: epoch + 1, step: index + 1, loss: result.loss,
                                          gradientNorm: result.gradientNorm)
            }
            totals.lossSum += Double(result.loss) * Double(batch.count)
            if let auxiliary = result.auxiliaryLoss {
                totals.auxiliarySum = (totals.auxiliarySum ?? 0) + Double(auxiliary) * Double(batch.count)
            }
            totals.correct += result.correct
            totals.seen += batch.count
            if (index + 1) % reportEvery == 0 || index + 1 == perEpoch {
                let elapsed = Date().timeIntervalSince(runStart)
                let done = Double((epoch - firstEpoch) * perEpoch + index + 1)
                let remaining = Double((epochs - firstEpoch) * perEpoch) - done
                let speed = Double(totals.seen) / Date().timeIntervalSince(totals.start)
                let accuracy = !lossOnly ? String(format: " acc %.1f%%", 100 * totals.accuracy) : ""
                progress(String(format: "epoch %d/%d step %d/%d loss %.4f", epoch + 1, epochs, index + 1, perEpoch,
                                totals.meanLoss)
                         + accuracy + String(format: " lr %.2e %.0f img/s", totals.learningRate, speed)
                         + " left " + formatDuration(elapsed / done * remaining))
            }
        }
        return totals
    }
}
