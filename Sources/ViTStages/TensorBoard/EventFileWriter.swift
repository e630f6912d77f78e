import Foundation
import SwiftProtobuf
import ViTCore

/// Writes TensorBoard's event files: TFRecord framing (u64 length, masked CRC-32C of the length,
/// the serialized `Event`, masked CRC-32C of it, all little-endian) around `Event` messages, the
/// first carrying the file version. Scalars go out as `Summary.Value.simple_value` (float32),
/// which TensorBoard's scalar dashboard and `EventAccumulator.Scalars` read. Each record goes to
/// the file in one unbuffered write, so a run that stops leaves every record it wrote readable;
/// the HDF5 log stays the record of truth.
final class EventFileWriter {
    let path: String
    /// A POSIX descriptor: FileHandle reports a full disk only as "error 512", write(2) as errno.
    private let descriptor: Int32

    /// A new file `events.out.tfevents.<seconds>.<host>.vitc` in `directory` (created if needed).
    init(directory: String, now: Date = Date()) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        path = "\(directory)/events.out.tfevents.\(Int(now.timeIntervalSince1970)).\(host).\(getpid()).vitc"
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw ConfigError(message: "--tensorboard: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var version = Tensorboard_Event()
        version.wallTime = now.timeIntervalSince1970
        version.fileVersion = "brain.Event:2"
        try write(version)
    }

    deinit { close(descriptor) }

    /// One event holding the scalars `values` (tag -> value) at `step`.
    func scalars(_ values: [(tag: String, value: Double)], step: Int, wallTime: Date = Date()) throws {
        var event = Tensorboard_Event()
        event.wallTime = wallTime.timeIntervalSince1970
        event.step = Int64(step)
        event.summary = Tensorboard_Summary.with { summary in
            summary.value = values.map { item in
                Tensorboard_Summary.Value.with { $0.tag = item.tag; $0.simpleValue = Float(item.value) }
            }
        }
        try write(event)
    }

    private func write(_ event: Tensorboard_Event) throws {
        let data: [UInt8] = try event.serializedBytes()
        var length = UInt64(data.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
        var record = lengthBytes
        record += littleEndianBytes(CRC32C.masked(lengthBytes))
        record += data
        record += littleEndianBytes(CRC32C.masked(data))
        guard record.withUnsafeBytes({ writeAll(descriptor, $0) }) else {
            throw ConfigError(message: "--tensorboard: cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func littleEndianBytes(_ value: UInt32) -> [UInt8] {
        var little = value.littleEndian
        return withUnsafeBytes(of: &little) { Array($0) }
    }
}
