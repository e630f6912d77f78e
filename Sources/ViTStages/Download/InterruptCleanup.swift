import Foundation

/// Removes a folder if the process is interrupted (Ctrl-C, kill) while the folder is in use,
/// then lets the signal act as it would have. A signal the process ignores (SIGINT in a
/// background job, SIGHUP under nohup) stays ignored.
final class InterruptCleanup: @unchecked Sendable {
    private let lock = NSLock()
    private var caught = false
    private var watched: [(number: Int32, previous: __sighandler_t?, source: DispatchSourceSignal)] = []
    private let queue = DispatchQueue(label: "vitc.interrupt-cleanup")

    init(removing path: String, on signals: [Int32] = [SIGINT, SIGTERM]) {
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self)
        for number in signals {
            let previous = signal(number, SIG_IGN)  // a dispatch source sees only signals not delivered
            if unsafeBitCast(previous, to: Int.self) == ignore { continue }
            // A queue of its own: dispatch creates a thread for it even when the global queues'
            // threads (as many as cores) are all busy or blocked, which left the signal unhandled.
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in
                lock.lock(); caught = true; lock.unlock()
                try? FileManager.default.removeItem(atPath: path)
                signal(number, previous)
                // To the process: raise() would go to this dispatch thread, which blocks signals.
                kill(getpid(), number)
            }
            source.resume()
            watched.append((number, previous, source))
        }
    }

    /// Stops watching and restores the signals' previous handling.
    func cancel() {
        for (number, previous, source) in watched {
            source.cancel()
            signal(number, previous)
        }
        watched = []
    }

    /// Call on a failure: when it came from the folder vanishing under an interrupt, give the
    /// handler time to end the process, rather than report the vanished files as the error.
    func waitIfInterrupted(seconds: UInt32 = 10) {
        lock.lock(); let interrupted = caught; lock.unlock()
        if interrupted { sleep(seconds) }
    }
}
