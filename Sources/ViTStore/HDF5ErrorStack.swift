import CHDF5

/// Reads HDF5's own explanation of the last failure, so a StoreError can say "truncated file"
/// rather than only "cannot open".
enum HDF5ErrorStack {
    /// HDF5 prints its error stack to stderr by default; vitc reports errors itself, once.
    /// A global `let` initialiser runs exactly once, on first use, whichever thread gets there first.
    static let silenced: Void = { _ = H5Eset_auto2(vitc_h5e_default(), nil, nil) }()

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
        return message.isEmpty ? "no detail from HDF5" : message
    }
}
