/// How matrix products are computed. Element-wise work is always float32.
public enum Precision: String, Codable, CaseIterable, Sendable {
    /// float32 inputs, float32 accumulation.
    case f32
    /// bfloat16 inputs (rounded from the float32 master values), float32 accumulation.
    case bf16
}
