import Foundation

/// The progress of a download on one line: rewritten in place on a terminal, a fresh line
/// every few seconds in a log (where `\r` would pile up into one endless line).
public struct DownloadProgress {
    public let name: String
    public let interactive: Bool
    private let start: Date
    private var lastShown: Date?
    /// Through stdio by default, so progress keeps its place among the lines `print` wrote.
    private let write: (String) -> Void

    public init(name: String, interactive: Bool = isatty(STDOUT_FILENO) == 1, start: Date = Date(),
                write: @escaping (String) -> Void = { print($0, terminator: ""); fflush(stdout) }) {
        self.name = name
        self.interactive = interactive
        self.start = start
        self.write = write
    }

    /// "cifar-10-binary.tar.gz: 52.3 of 170.5 MB (30.7%), 8.1 MB/s"
    public static func line(name: String, bytes: Int64, total: Int64?, seconds: Double) -> String {
        let megabytes = Double(bytes) / 1e6
        var text = "\(name): " + String(format: "%.1f", megabytes)
        if let total, total > 0 {
            text += String(format: " of %.1f MB (%.1f%%)", Double(total) / 1e6, 100 * Double(bytes) / Double(total))
        } else {
            text += " MB"
        }
        if seconds > 0 { text += String(format: ", %.1f MB/s", megabytes / seconds) }
        return text
    }

    public mutating func update(bytes: Int64, total: Int64?, now: Date = Date()) {
        let interval: TimeInterval = interactive ? 0.2 : 5
        if let lastShown, now.timeIntervalSince(lastShown) < interval { return }
        lastShown = now
        show(bytes: bytes, total: total, now: now)
    }

    /// The last figures, always shown, and the end of the line.
    public mutating func finish(bytes: Int64, total: Int64?, now: Date = Date()) {
        show(bytes: bytes, total: total, now: now)
        if interactive { write("\n") }
    }

    private func show(bytes: Int64, total: Int64?, now: Date) {
        let text = Self.line(name: name, bytes: bytes, total: total, seconds: now.timeIntervalSince(start))
        // Trailing spaces wipe what a longer previous line left behind.
        write(interactive ? "\r" + text + "   " : text + "\n")
    }
}
