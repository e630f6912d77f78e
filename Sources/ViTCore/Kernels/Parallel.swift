import Foundation

/// Element-wise kernels split their rows into this many chunks: one per core, or
/// VITC_THREADS (set it to 1 to run two trainings side by side without oversubscribing).
public let workerCount: Int = {
    if let text = ProcessInfo.processInfo.environment["VITC_THREADS"], let count = Int(text), count > 0 {
        return count
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}()

/// Runs `body` over `0..<count` split into contiguous ranges, one per worker. Small jobs
/// run inline: a dispatch round costs a few microseconds, more than a short loop.
@inline(__always)
public func parallelRanges(_ count: Int, minimumPerWorker: Int = 4096,
                           _ body: (Range<Int>) -> Void) {
    let workers = min(workerCount, max(1, count / max(1, minimumPerWorker)))
    if workers <= 1 {
        body(0..<count)
        return
    }
    let chunk = (count + workers - 1) / workers
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let start = worker * chunk
        let end = min(count, start + chunk)
        if start < end { body(start..<end) }
    }
}

/// Runs `body(worker)` for each of `workers` workers, concurrently when there is more than one.
@inline(__always)
public func parallelWorkers(_ workers: Int, _ body: (Int) -> Void) {
    if workers <= 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
}
