import Foundation
import ViTCore

extension Checkpoint {
    /// Writes the checkpoint to a temporary file beside `path` and renames it into place only
    /// once it is complete, so a crash or an error never leaves a partial checkpoint at `path`.
    /// The file's SHA-256 goes into its user block, for `load` to check (see FileDigest).
    /// Under data parallelism (`DataParallel.group`) rank 0 alone writes, the others holding the
    /// same model; all then wait until it has, so that no rank reads the file (a later stage)
    /// before it is in place. A rank 0 that fails to write ends the job (see MPILaunch).
    public func save(to path: String) throws {
        let group = DataParallel.group
        if group.rank == 0 { try writeAtomically(to: path) }
        if group.size > 1 {
            var done: [Float] = [0]
            group.sum(&done)
        }
    }

    private func writeAtomically(to path: String) throws {
        try validate(reportingAs: path)
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        do {
            let file = try HDF5File.create(temporary, displayName: path, userBlockSize: FileDigest.userBlockSize)
            do {
                try write(into: file)
                try file.close()
            } catch {
                try? file.close()
                throw error
            }
            try FileDigest.record(in: temporary, reportingAs: path)
            try Self.flushToDisk(temporary, reportingAs: path)
            guard rename(temporary, path) == 0 else {
                throw StoreError.operationFailed(file: path, action: "cannot rename \(temporary) into place",
                                                 detail: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Every check that can be made before writing: a bad key fails the save with the old file intact.
    func validate(reportingAs file: String) throws {
        for name in attributes.keys where Self.reservedAttributes.contains(name) {
            throw StoreError.invalidName(file: file, name: name, reason: "this attribute is written by vitc itself")
        }
        for group in Self.groups {
            let arrays = self[keyPath: group.arrays]
            for (name, array) in arrays {
                let path = try Self.datasetPath(group: group.name, name: name, file: file)
                guard array.shape.allSatisfy({ $0 >= 0 }), array.shape.reduce(1, *) == array.count else {
                    throw StoreError.valueCountMismatch(file: file, path: path, shape: array.shape, count: array.count)
                }
                // "a" and "a.b" would need /group/a to be both a dataset and a group.
                var prefix = ""
                for part in name.split(separator: ".").dropLast() {
                    prefix += prefix.isEmpty ? String(part) : "." + part
                    if arrays[prefix] != nil {
                        throw StoreError.invalidName(file: file, name: name, reason: "\"\(prefix)\" is also an array")
                    }
                }
            }
        }
    }

    private func write(into file: HDF5File) throws {
        try file.setAttribute("format", .string(Self.format))
        try file.setAttribute("format_version", .int(Self.formatVersion))
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            try file.setAttribute(name, value)
        }
        for group in Self.groups {
            let compressed = compressWeights && (group.name == "weights" || group.name == "masks")
            for (name, array) in self[keyPath: group.arrays].sorted(by: { $0.key < $1.key }) {
                let path = try Self.datasetPath(group: group.name, name: name, file: file.displayName)
                try file.write(array, at: path, compressed: compressed)
            }
        }
    }

    /// HDF5 leaves its writes in the OS cache; without fsync a power cut after the rename can
    /// leave an empty file under the final name.
    private static func flushToDisk(_ temporary: String, reportingAs file: String) throws {
        let descriptor = open(temporary, O_RDONLY)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw StoreError.operationFailed(file: file, action: "cannot flush \(temporary) to disk", detail: reason)
        }
        close(descriptor)
    }
}
