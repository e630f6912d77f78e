import CHDF5
import Foundation

/// One open HDF5 file. Every failed C call becomes a `StoreError` naming the file, and every
/// handle opened by a method is closed before that method returns, on error paths too.
/// HDF5 here is the serial (not thread-safe) build: use one file from one thread at a time.
public final class HDF5File {
    public let path: String
    /// The name errors report. A checkpoint being written to a temporary file reports the
    /// file it will become, which is the name the user knows.
    let displayName: String
    private(set) var id: hid_t

    private init(id: hid_t, path: String, displayName: String) {
        self.id = id
        self.path = path
        self.displayName = displayName
    }

    deinit { if id >= 0 { H5Fclose(id) } }

    /// Creates `path` for writing, replacing any file already there.
    public static func create(_ path: String) throws -> HDF5File {
        try create(path, displayName: path)
    }

    /// `userBlockSize` bytes at the start of the file are left to the caller (see FileDigest).
    static func create(_ path: String, displayName: String, userBlockSize: Int = 0) throws -> HDF5File {
        HDF5ErrorStack.silenced
        let createList = H5Pcreate(vitc_h5p_file_create())
        defer { if createList >= 0 { H5Pclose(createList) } }
        // Nearly every dataset is one chunk, and HDF5's default chunk-index B-tree node has room
        // for 64 (about 2 KiB each); a node of 2 keeps a many-dataset int8 file from growing by a third.
        let id = createList >= 0 && H5Pset_userblock(createList, hsize_t(userBlockSize)) >= 0
                 && H5Pset_istore_k(createList, 1) >= 0
            ? H5Fcreate(path, vitc_h5f_acc_trunc(), createList, vitc_h5p_default()) : -1
        guard id >= 0 else {
            throw StoreError.operationFailed(file: displayName, action: "cannot create file",
                                             detail: HDF5ErrorStack.mostSpecificMessage())
        }
        return HDF5File(id: id, path: path, displayName: displayName)
    }

    public static func openReadOnly(_ path: String) throws -> HDF5File {
        HDF5ErrorStack.silenced
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingFile(file: path) }
        guard H5Fis_hdf5(path) > 0 else { throw StoreError.notHDF5(file: path) }
        let id = H5Fopen(path, vitc_h5f_acc_rdonly(), vitc_h5p_default())
        guard id >= 0 else {
            throw StoreError.operationFailed(file: path, action: "cannot open HDF5 file",
                                             detail: HDF5ErrorStack.mostSpecificMessage())
        }
        return HDF5File(id: id, path: path, displayName: path)
    }

    /// Closes the file, reporting a failed final flush; `deinit` would close it silently.
    public func close() throws {
        guard id >= 0 else { return }
        let status = H5Fclose(id)
        id = -1
        try check(status, "cannot close file")
    }

    /// Whether a group or dataset exists at `path`.
    public func exists(_ path: String) throws -> Bool {
        var prefix = ""
        // H5Lexists fails, rather than answering false, when a parent is missing or is a dataset,
        // so walk down one link at a time. A failure there also means nothing exists at `path`;
        // a genuine read error will surface when the object is opened.
        for component in try components(of: path) {
            prefix += "/" + component
            guard H5Lexists(id, prefix, vitc_h5p_default()) > 0 else { return false }
        }
        return true
    }

    /// The absolute paths of all datasets below `group`, at any depth, sorted.
    public func datasetPaths(under group: String = "/") throws -> [String] {
        let group = try absolute(group)
        guard try exists(group) else { throw StoreError.missingObject(file: displayName, path: group) }
        let handle = try check(H5Gopen2(id, group, vitc_h5p_default()), "cannot open group \(group)")
        defer { H5Gclose(handle) }
        var names: [String] = []
        try withUnsafeMutablePointer(to: &names) { context in
            _ = try check(vitc_h5l_visit_hard_links(handle, { name, context in
                context?.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name!))
            }, context), "cannot list \(group)")
        }
        var datasets: [String] = []
        for name in names {
            let object = try check(H5Oopen(handle, name, vitc_h5p_default()), "cannot open \(group)/\(name)")
            defer { H5Oclose(object) }
            if H5Iget_type(object) == H5I_DATASET { datasets.append(group == "/" ? "/" + name : group + "/" + name) }
        }
        return datasets.sorted()
    }

    /// Turns a negative HDF5 return value into a `StoreError` carrying HDF5's reason.
    @discardableResult
    func check<T: BinaryInteger>(_ status: T, _ action: @autoclosure () -> String) throws -> T {
        guard status >= 0 else {
            throw StoreError.operationFailed(file: displayName, action: action(),
                                             detail: HDF5ErrorStack.mostSpecificMessage())
        }
        return status
    }

    /// `path` with a leading slash; "a/b" and "/a/b" name the same object.
    func absolute(_ path: String) throws -> String {
        "/" + (try components(of: path)).joined(separator: "/")
    }

    /// Rejects empty and "." components: HDF5 would quietly read "a//b" and "a/./b" as "a/b".
    func components(of path: String) throws -> [String] {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if trimmed.isEmpty { return [] }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw StoreError.invalidName(file: displayName, name: path, reason: "empty, \".\" or \"..\" path component")
        }
        return parts
    }
}
