/// How a model's matrix products are computed. Element-wise work (LayerNorm, softmax, GELU,
/// the optimizer) is always float32.
public enum Precision: String, Codable, CaseIterable, Sendable {
    /// float32 inputs, float32 accumulation.
    case f32
    /// bfloat16 inputs (rounded from the float32 master values), float32 accumulation. Needs a
    /// CPU with native bfloat16 (avx512_bf16 or AMX): oneDNN 2.6 has no bf16 product elsewhere.
    case bf16
    /// The linear layers of a quantized model run u8·s8 → s32 products; every other product
    /// (attention, the tokenizer, float layers) runs in float32. Inference only.
    case int8

    /// The element type of a float product's inputs: int8 models run their remaining float
    /// products (attention, unquantized layers) in float32.
    var productsInBFloat16: Bool { self == .bf16 }
}

/// What the user asked for on the command line: a precision, or `auto` (bf16 where the CPU
/// computes it natively, else f32). `CPUCapabilities.resolve` turns it into a `Precision`.
public enum PrecisionChoice: String, Codable, CaseIterable, Sendable {
    case auto, f32, bf16, int8

    public init(_ precision: Precision) { self.init(rawValue: precision.rawValue)! }
}
