import CHDF5

/// Reads HDF5's own explanation of the last failure, so a StoreError can say "truncated file"
/// rather than only "cannot open".
enum HDF5ErrorStack {
    /// HDF5 prints its error stack to stderr by default; vitc reports errors itself, once.
    /// A global `let` initialiser runs exactly once, on first use, whichever thread gets there first.
    ///
    /// It also keeps libhdf5 from registering its exit handler (`H5dont_atexit`, which counts only
    /// before the library's first call, so this runs before any other): after a failed close (a
    /// full disk) the handler would flush that file again at exit and crash the process after its
    /// one-line error. vitc closes every file it writes itself, so there is nothing left to flush.
    static let silenced: Void = {
        _ = H5dont_atexit()
        _ = H5Eset_auto2(vitc_h5e_default(), nil, nil)
    }()

    /// The description of the innermost (most specific) entry on the current error stack.
    static func mostSpecificMessage() -> String {
        var message = ""
        withUnsafeMutablePointer(to: &message) { context in
            _ = H5Ewalk2(vitc_h5e_default(), H5E_WALK_UPWARD, { position, entry, context in
                if position == 0, let text = entry?.pointee.desc {
                    context?.assumingMemoryBound(to: String.self).pointee = String(cString: text)
                }
                return 0
            }, context)
        }
        return message.isEmpty ? "no detail from HDF5" : concise(message)
    }

    /// A failed system call's part of HDF5's message: "file write failed: time = ..., errno = 28,
    /// error message = 'No space left on device', buf = ..." becomes "No space left on device
    /// (file write failed)"; any other message is kept as it is.
    static func concise(_ message: String) -> String {
        guard let start = message.range(of: "error message = '"),
              let end = message[start.upperBound...].firstIndex(of: "'") else { return message }
        let reason = message[start.upperBound..<end]
        let action = message.range(of: ":").map { String(message[..<$0.lowerBound]) } ?? ""
        return action.isEmpty ? String(reason) : "\(reason) (\(action))"
    }
}
