import Foundation

/// The signal a training run was asked to stop by (SIGINT, SIGTERM); 0 while none came. The
/// handler only stores it (an async-signal-safe write); the epoch loop looks after each step.
private nonisolated(unsafe) var pendingSignal: Int32 = 0

private let noteSignal: @convention(c) (Int32) -> Void = { number in
    pendingSignal = number
    signal(number, SIG_DFL)  // a second Ctrl-C ends the process at once
}

/// Ctrl-C or `kill` during a long run ends it between two steps, with the last epoch's checkpoint
/// (written atomically after every epoch) as it is, instead of killing it wherever it is: the
/// command then says which epoch the file holds and how to go on, and exits 128 + the signal
/// (130 for SIGINT, 143 for SIGTERM). A signal the process ignores (nohup, a background job)
/// stays ignored.
public enum RunInterruption {
    private nonisolated(unsafe) static var previous: [(Int32, __sighandler_t?)] = []

    /// Starts watching SIGINT and SIGTERM (for the length of a run).
    public static func watch() {
        pendingSignal = 0
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self)
        for number in [SIGINT, SIGTERM] {
            let old = signal(number, noteSignal)
            if unsafeBitCast(old, to: Int.self) == ignore { signal(number, old) } else { previous.append((number, old)) }
        }
    }

    /// Puts the signals' previous handling back.
    public static func release() {
        for (number, old) in previous { signal(number, old) }
        previous = []
    }

    /// The signal that asked the run to stop, if one did.
    public static var pending: Int32? { pendingSignal == 0 ? nil : pendingSignal }

    /// The signal that asked any process of the run to stop: under mpirun a signal may reach one
    /// rank only, and a rank that stopped alone would leave the others waiting in the next step's
    /// all-reduce, so after every step the ranks add up which signals they hold (two numbers, a
    /// few microseconds) and all stop together. SIGTERM wins over SIGINT.
    public static var agreed: Int32? {
        let group = DataParallel.group
        guard group.size > 1 else { return pending }
        var held: [Double] = [pendingSignal == SIGINT ? 1 : 0, pendingSignal == SIGTERM ? 1 : 0]
        group.sum(&held)
        return held[1] > 0 ? SIGTERM : held[0] > 0 ? SIGINT : nil
    }

    /// Sends `number` as if it had come from outside (tests).
    static func simulate(_ number: Int32) { pendingSignal = number }
}

/// A run stopped by a signal between two steps: `completedEpochs` of `epochs` are in its last checkpoint.
public struct RunInterrupted: Error, CustomStringConvertible {
    public let signal: Int32
    public let completedEpochs: Int, epochs: Int

    public init(signal: Int32, completedEpochs: Int, epochs: Int) {
        (self.signal, self.completedEpochs, self.epochs) = (signal, completedEpochs, epochs)
    }

    /// The shell's convention for a process ended by a signal.
    public var exitCode: Int32 { 128 + signal }

    public var signalName: String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }

    public var description: String {
        "interrupted by \(signalName) during epoch \(completedEpochs + 1) of \(epochs)"
    }

    /// "models/teacher.h5 holds epoch 12 of 160" or, before the first epoch ended, that nothing was written.
    public func kept(_ path: String) -> String {
        completedEpochs > 0 ? "\(path) holds epoch \(completedEpochs) of \(epochs)"
                            : "no epoch finished, so \(path) was not written"
    }
}
