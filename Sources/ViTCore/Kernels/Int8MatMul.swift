import CDNNL

// The int8 product of a quantized linear layer (inference only). Per call:
//   a: [M, K] u8 activations with one zero point z,  W: [N, K] s8 weights (PyTorch layout)
//   acc[m, n] = sum_k (a[m, k] - z) * W[n, k]       exact in Int32
//   c[m, n]   = scales[n] * acc[m, n] + bias[n]      float32
//   then optionally c = gelu(c) and c += residual[m, n] (the MLP's activation and skip connection)
// oneDNN runs it as a u8 x s8 -> s32 matmul (AVX-512 VNNI, or AMX where the CPU has it) with
// everything after acc applied in the kernel's epilogue, on float32 values still in registers.
// `Int8MatMul.reference` is the integer twin.

public enum Int8MatMul {
    /// c = scales[n] * acc + bias[n], then GELU (exact erf form) when `gelu`, then + residual [M, N].
    public static func multiply(rows: Int, a: UnsafePointer<UInt8>, zeroPoint: Int32, weights: Int8Weights,
                                scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?, gelu: Bool = false,
                                residual: UnsafePointer<Float>? = nil, c: UnsafeMutablePointer<Float>) {
        Int8Context.shared.multiply(rows: rows, a: a, zeroPoint: zeroPoint, weights: weights, scales: scales,
                                    bias: bias, gelu: gelu, residual: residual, c: c)
    }

    /// The raw Int32 accumulators `acc`, through the same oneDNN kernel family (for tests).
    public static func accumulators(rows: Int, a: UnsafePointer<UInt8>, zeroPoint: Int32, weights: Int8Weights,
                                    c: UnsafeMutablePointer<Int32>) {
        Int8Context.shared.accumulate(rows: rows, a: a, zeroPoint: zeroPoint, weights: weights, c: c)
    }

    /// Triple loop with Int32 accumulation: slow and obviously right.
    public static func reference(rows m: Int, columns n: Int, depth k: Int, a: UnsafePointer<UInt8>,
                                 zeroPoint: Int32, weights w: UnsafePointer<Int8>, c: UnsafeMutablePointer<Int32>) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Int32 = 0
                for p in 0..<k { sum += (Int32(a[i * k + p]) - zeroPoint) * Int32(w[j * k + p]) }
                c[i * n + j] = sum
            }
        }
    }
}

/// One compiled primitive per (rows, layer shape, output type, epilogue), as DNNLContext keeps
/// for float, and the scratch buffers every call reuses.
final class Int8Context {
    static let shared = Int8Context()

    private var primitives: [CompiledInt8MatMul.Key: CompiledInt8MatMul] = [:]
    private var activations = Scratch()
    private var scratchpad = Scratch()

    /// Storage that grows to the largest request and is reused by every call after.
    private struct Scratch {
        var pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        var capacity = 64
        mutating func bytes(_ count: Int) -> UnsafeMutableRawPointer {
            if capacity < count {
                pointer.deallocate()
                pointer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
                capacity = count
            }
            return pointer
        }
    }

    /// Scratch for one layer's quantized input, reused by every call (valid until the next call).
    func activationBuffer(count: Int) -> UnsafeMutablePointer<UInt8> {
        activations.bytes(count).assumingMemoryBound(to: UInt8.self)
    }

    private func compiled(_ key: CompiledInt8MatMul.Key) -> CompiledInt8MatMul {
        if let made = primitives[key] { return made }
        let made = CompiledInt8MatMul(engine: DNNLContext.shared.engine!, key)
        primitives[key] = made
        return made
    }

    func multiply(rows: Int, a: UnsafePointer<UInt8>, zeroPoint: Int32, weights: Int8Weights,
                  scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?, gelu: Bool, residual: UnsafePointer<Float>?,
                  c: UnsafeMutablePointer<Float>) {
        let primitive = compiled(.init(rows: rows, columns: weights.outFeatures, depth: weights.inFeatures,
                                       exact: false, hasBias: bias != nil, gelu: gelu, residual: residual != nil))
        primitive.run(stream: DNNLContext.shared.stream!, a: a, weights: weights.packed(as: primitive.weightsDescriptor),
                      zeroPoint: zeroPoint, scales: scales, bias: bias, residual: residual, c: UnsafeMutableRawPointer(c),
                      scratchpad: scratchpad.bytes(primitive.scratchpadSize))
    }

    func accumulate(rows: Int, a: UnsafePointer<UInt8>, zeroPoint: Int32, weights: Int8Weights,
                    c: UnsafeMutablePointer<Int32>) {
        let primitive = compiled(.init(rows: rows, columns: weights.outFeatures, depth: weights.inFeatures,
                                       exact: true, hasBias: false))
        primitive.run(stream: DNNLContext.shared.stream!, a: a, weights: weights.packed(as: primitive.weightsDescriptor),
                      zeroPoint: zeroPoint, scales: nil, bias: nil, c: UnsafeMutableRawPointer(c),
                      scratchpad: scratchpad.bytes(primitive.scratchpadSize))
    }
}
