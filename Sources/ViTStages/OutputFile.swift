import ViTCore
import Foundation

public enum OutputFile {
    /// Refuses to write over an input and creates the output's folder.
    public static func prepare(_ output: String, inputs: [String]) throws {
        let target = URL(fileURLWithPath: output).standardizedFileURL.path
        for input in inputs where URL(fileURLWithPath: input).standardizedFileURL.path == target {
            throw ConfigError(message: "refusing to overwrite the input \(input): choose another --out")
        }
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Writes `bytes` to `path` through a temporary file beside it, renamed into place only when
    /// every byte is written and the file closed: a failure (a full disk, a file-size limit)
    /// leaves any older file as it was, removes the temporary one, and throws one line naming the
    /// file and the system's reason (Foundation's atomic write reports only "error 512").
    public static func write(_ bytes: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        func fail(_ action: String) -> ConfigError {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return ConfigError(message: "cannot write \(path): \(reason) (\(action))")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw fail("create") }
        if !bytes.withUnsafeBytes({ writeAll(descriptor, $0) }) {
            let error = fail("write")
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw fail("close") }
        guard rename(temporary, path) == 0 else { throw fail("rename") }
    }

    /// `write` of UTF-8 text (reports, plots).
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}

/// Writes every byte to `descriptor` (retrying short writes and interruptions); false with errno
/// set when the system refuses (a full disk, a file-size limit). The writers use write(2) rather
/// than FileHandle, whose error for a full disk is only "error 512".
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var written = 0
    while written < bytes.count {
        let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
        if count < 0 {
            if errno == EINTR { continue }
            return false
        }
        written += count
    }
    return true
}
