import Foundation

/// MD5 (RFC 1321). Broken as a defence against forgery, but it is the checksum the CIFAR-10
/// page publishes for its archive, and Foundation on Linux has no CryptoKit.
public struct MD5 {
    private var state: [UInt32] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
    private var blocks = HashBlocks()

    public init() {}

    public mutating func update<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var blocks = self.blocks  // compress mutates self.state while blocks runs: work on a copy
        blocks.update(bytes) { compress($0) }
        self.blocks = blocks
    }

    public mutating func finalize() -> [UInt8] {
        var blocks = self.blocks
        blocks.finish(bigEndianLength: false) { compress($0) }
        self.blocks = blocks
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) } }
    }

    public static func hexDigest<Bytes: Collection>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hash = MD5()
        hash.update(bytes)
        return hex(hash.finalize())
    }

    public static func hex(_ digest: [UInt8]) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for t in 0..<16 { m[t] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
            var (a, b, c, d) = (state[0], state[1], state[2], state[3])
            for i in 0..<64 {
                // The four rounds differ in their mixing function and in which word they read.
                let f: UInt32, g: Int
                switch i >> 4 {
                case 0: f = (b & c) | (~b & d); g = i
                case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
                case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15
                default: f = c ^ (b | ~d); g = (7 * i) & 15
                }
                let sum = a &+ f &+ Self.k[i] &+ m[g]
                let s = Self.shifts[i]
                (a, d, c) = (d, c, b)
                b = b &+ (sum << s | sum >> (32 - s))
            }
            state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
        }
    }

    private static let shifts: [UInt32] = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                           5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
                                           4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                           6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21]

    /// floor(2^32 * |sin(i + 1)|), as RFC 1321 tabulates it.
    private static let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4294967296)) }
}
