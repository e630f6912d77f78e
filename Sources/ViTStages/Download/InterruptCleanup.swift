import Foundation

/// Where the signal handler writes the number of the signal it caught; -1 when none is watched.
/// A handler may only make async-signal-safe calls, so it hands the work to `InterruptCleanup`'s thread.
private nonisolated(unsafe) var interruptPipeWrite: Int32 = -1

private let writeSignalNumber: @convention(c) (Int32) -> Void = { number in
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(interruptPipeWrite, &byte, 1)
}

/// Removes a folder if the process is interrupted (Ctrl-C, kill) while the folder is in use,
/// then lets the signal act as it would have. A signal the process ignores (SIGINT in a
/// background job, SIGHUP under nohup) stays ignored. One at a time (the download makes one).
///
/// How: a plain handler, which runs in whichever thread the kernel picks, writes the signal's
/// number to a pipe; a thread of our own reads it, removes the folder, puts the previous handling
/// back and sends the signal again. A libdispatch signal source did this before and sometimes
/// never fired: on Linux it reads a signalfd and blocks the signal in its own thread only, so with
/// other threads about (oneDNN's, URLSession's) the kernel gave the signal to one of them, where
/// the SIG_IGN that the source needs discarded it (seen in CI after ImportCommandTests).
final class InterruptCleanup: @unchecked Sendable {
    private let lock = NSLock()
    private var caught = false
    private var watched: [(number: Int32, previous: __sighandler_t?)] = []
    private var pipeWrite: Int32 = -1

    init(removing path: String, on signals: [Int32] = [SIGINT, SIGTERM]) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }  // no pipe: no cleanup, the signals act as before
        let (readEnd, writeEnd) = (ends[0], ends[1])
        pipeWrite = writeEnd
        interruptPipeWrite = writeEnd
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self)
        for number in signals {
            let previous = signal(number, writeSignalNumber)
            if unsafeBitCast(previous, to: Int.self) == ignore {
                signal(number, previous)
                continue
            }
            watched.append((number, previous))
        }
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1, byte != 0 else { break }  // 0: cancelled
                lock.lock(); caught = true; lock.unlock()
                try? FileManager.default.removeItem(atPath: path)
                restoreHandlers()
                kill(getpid(), Int32(byte))  // to the process, now with its previous handling
                // Read on until cancel(): its stop byte must find the pipe open (else SIGPIPE).
            }
            close(readEnd)
        }
        thread.start()
    }

    /// Stops watching and restores the signals' previous handling.
    func cancel() {
        restoreHandlers()
        lock.lock(); let writeEnd = pipeWrite; pipeWrite = -1; lock.unlock()
        guard writeEnd >= 0 else { return }
        var stop: UInt8 = 0
        _ = write(writeEnd, &stop, 1)
        close(writeEnd)
    }

    private func restoreHandlers() {
        lock.lock(); let restoring = watched; watched = []; lock.unlock()
        for (number, previous) in restoring { signal(number, previous) }
    }

    /// Call on a failure: when it came from the folder vanishing under an interrupt, give the
    /// handler time to end the process, rather than report the vanished files as the error.
    func waitIfInterrupted(seconds: UInt32 = 10) {
        lock.lock(); let interrupted = caught; lock.unlock()
        if interrupted { sleep(seconds) }
    }
}
