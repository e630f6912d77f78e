/// A NaN or infinite value where training or evaluation needs a number. It stops the run at
/// once: nothing computed from it is saved, and the last good checkpoint stays as it was.
public struct NonFiniteError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    /// A training step whose loss or gradient norm is not finite.
    public static func step(epoch: Int, step: Int, loss: Float, gradientNorm: Float) -> NonFiniteError {
        NonFiniteError(message: "epoch \(epoch) step \(step): loss \(loss), gradient norm \(gradientNorm); training "
            + "stopped without saving this epoch (the last good checkpoint is kept): lower --lr or set --clip-norm")
    }

    /// A model whose outputs are not finite: its weights are damaged or diverged.
    public static func logits(count: Int) -> NonFiniteError {
        NonFiniteError(message: "the model's outputs are not finite (\(count) NaN or infinite logits): "
            + "its weights are damaged or the run that made it diverged; no accuracy reported")
    }
}
