@testable import ViTCore

/// Runs `body` on a [3, height, width] image holding a copy of `bytes`, then returns its bytes:
/// the tests' way of calling the in-place operations on arrays.
func withByteImage(_ bytes: [UInt8], height: Int, width: Int, _ body: (ByteImage) -> Void) -> [UInt8] {
    precondition(bytes.count == ByteImage.channels * height * width,
                 "withByteImage: \(height)x\(width) needs \(ByteImage.channels * height * width) bytes, got \(bytes.count)")
    var copy = bytes
    copy.withUnsafeMutableBufferPointer { body(ByteImage($0.baseAddress!, height: height, width: width)) }
    return copy
}
