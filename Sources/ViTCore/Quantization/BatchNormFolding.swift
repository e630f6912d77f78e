// Folds each block's inference-mode BatchNorm into the linear layer that reads its output, as
// int8 inference wants (one pass over [B, N, D] less, and the norm's arithmetic done in float
// inside the weights rather than on int8 activations):
//   norm1 -> attn.qkv, norm2 -> mlp.fc1;  W: [out, D], b: [out], a, c: [D] (BatchNorm.inferenceAffine)
//   qkv(a * x + c) = W' x + b',  W' = W diag(a),  b' = b + W c
// The norm then becomes an exact identity (gamma 1, beta 0, running mean 0, running_var with
// running_var + eps == 1 in float), which BatchNorm's inference skips. The final norm stays: the
// head and the pooling before it stay float (and sequence pooling is not linear in its input).
// Files keep their layout: an int8 file of a BatchNorm model stores folded weights and identity norms.

public enum BatchNormFolding {
    /// Folds every block's norm1 and norm2 (a no-op for LayerNorm models, and for folded norms).
    public static func fold(_ model: VisionTransformer) {
        for block in model.blocks {
            if let norm = block.norm1.batchNorm { fold(norm, into: block.attention.qkv) }
            if let norm = block.norm2.batchNorm { fold(norm, into: block.fc1) }
        }
    }

    static func fold(_ norm: BatchNorm, into linear: Linear) {
        precondition(linear.weight.quantized == nil, "BatchNormFolding: \(linear.weight.name) is already int8")
        guard let biasParameter = linear.bias else { preconditionFailure("BatchNormFolding: \(linear.weight.name) has no bias") }
        let (scale, shift) = norm.inferenceAffine()
        let (rows, width) = (linear.weight.shape[0], linear.weight.shape[1])
        var weight = linear.weight.value, bias = biasParameter.value
        for r in 0..<rows {
            var added = 0.0
            for j in 0..<width {
                added += Double(weight.data[r * width + j]) * Double(shift[j])
                weight.data[r * width + j] *= scale[j]
            }
            bias.data[r] = Float(Double(bias.data[r]) + added)
        }
        linear.weight.value = weight
        biasParameter.value = bias
        norm.gamma.value = Tensor(repeating: 1, shape: norm.gamma.shape)
        norm.beta.value = Tensor(zeros: norm.beta.shape)
        norm.runningMean.value = Tensor(zeros: norm.runningMean.shape)
        norm.runningVariance.value = Tensor(repeating: identityVariance(epsilon: norm.epsilon), shape: norm.runningVariance.shape)
    }

    /// The float v nearest 1 - eps with v + eps == 1 exactly, so that a = 1 / sqrt(v + eps) == 1.
    static func identityVariance(epsilon: Float) -> Float {
        var variance = 1 - epsilon
        while variance + epsilon < 1 { variance = variance.nextUp }
        while variance + epsilon > 1 { variance = variance.nextDown }
        precondition(variance + epsilon == 1, "BatchNormFolding: no variance makes eps \(epsilon) an identity")
        return variance
    }
}
