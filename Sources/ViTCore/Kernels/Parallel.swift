import Foundation

/// The threads this process uses: one per core, or VITC_THREADS (set it to 1 to run two
/// trainings side by side without oversubscribing).
public let configuredWorkerCount: Int = {
    if let text = ProcessInfo.processInfo.environment["VITC_THREADS"], let count = Int(text), count > 0 {
        return count
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
}()

/// Element-wise kernels split their rows into this many chunks: `configuredWorkerCount`, or 1
/// inside `singleThreaded`.
public var workerCount: Int { singleThreadedDepth > 0 ? 1 : configuredWorkerCount }

private var singleThreadedDepth = 0
private var openMPThreadsOutside: Int32 = 0

/// OpenMP's thread-count functions, found at run time in the libgomp that oneDNN loads (so the
/// package does not have to link it by name).
private let setOpenMPThreads: (@convention(c) (Int32) -> Void)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_set_num_threads") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
}()
private let openMPMaxThreads: (@convention(c) () -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "omp_get_max_threads") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
}()

/// Runs `body` with oneDNN's products and the element-wise kernels on the calling thread alone.
/// For small problems (batch-1 inference) waking a second thread for each of the forward pass's
/// few dozen products costs more than it saves: measured, int8 batch-1 latency falls from about
/// 4 ms to 2.5-3.6 ms (teacher) and from 1.8 to 0.6 ms (student). Call it from one thread at a time.
public func singleThreaded<T>(_ body: () throws -> T) rethrows -> T {
    if singleThreadedDepth == 0, let setOpenMPThreads, let openMPMaxThreads {
        openMPThreadsOutside = openMPMaxThreads()
        setOpenMPThreads(1)
    }
    singleThreadedDepth += 1
    defer {
        singleThreadedDepth -= 1
        if singleThreadedDepth == 0, openMPThreadsOutside > 0 { setOpenMPThreads?(openMPThreadsOutside) }
    }
    return try body()
}

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
