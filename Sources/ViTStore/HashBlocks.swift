/// What MD5 and SHA-256 share: the message goes to the compression function in 64-byte blocks,
/// an incomplete block waits for the next update, and the end is padded with a 1 bit, zeros up
/// to 56 bytes mod 64 and the message length in bits (little-endian for MD5, big-endian for
/// SHA-256). Whole blocks are hashed straight from the caller's bytes; only a partial block is
/// copied, so hashing a checkpoint stays quick in debug builds too.
struct HashBlocks {
    private var pending: [UInt8] = []
    private var byteCount: UInt64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer, compress: (UnsafeRawBufferPointer) -> Void) {
        byteCount &+= UInt64(bytes.count)
        var rest = bytes[...]
        if !pending.isEmpty {
            let taken = min(64 - pending.count, rest.count)
            pending += rest.prefix(taken)
            rest = rest.dropFirst(taken)
            guard pending.count == 64 else { return }
            pending.withUnsafeBytes { compress($0) }
            pending = []
        }
        while rest.count >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: rest.prefix(64)))
            rest = rest.dropFirst(64)
        }
        pending += rest
    }

    /// Pads, compresses the last block or two, and leaves the buffer empty.
    mutating func finish(bigEndianLength: Bool, compress: (UnsafeRawBufferPointer) -> Void) {
        let bitCount = byteCount &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - pending.count) % 64)
        tail += (0..<8).map { i in
            UInt8(truncatingIfNeeded: bitCount >> (bigEndianLength ? 56 - 8 * UInt64(i) : 8 * UInt64(i)))
        }
        pending += tail
        pending.withUnsafeBytes { padded in
            for start in stride(from: 0, to: padded.count, by: 64) {
                compress(UnsafeRawBufferPointer(rebasing: padded[start..<start + 64]))
            }
        }
        pending = []
        byteCount = 0
    }
}
