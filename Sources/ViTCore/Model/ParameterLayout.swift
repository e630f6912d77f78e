/// Names, shapes and initial values of a ViT's parameters, in timm's naming.
public enum ParameterLayout {
    /// Every parameter name with its PyTorch shape, in a fixed order.
    public static func shapes(_ config: ModelConfig) -> [(String, [Int])] {
        let d = config.dim, k = config.numClasses
        var result: [(String, [Int])]
        switch config.tokenizer {
        case .patch:
            result = [("patch_embed.proj.weight", [d, config.channels, config.patchSize, config.patchSize]),
                      ("patch_embed.proj.bias", [d])]
        case .conv:
            result = convolutionChannels(config).enumerated().map { i, channels in
                ("tokenizer.conv_layers.\(i).0.weight", [channels.out, channels.in, 3, 3])
            }
        }
        if config.pool == .cls { result.append(("cls_token", [1, 1, d])) }
        if config.distillationToken { result.append(("dist_token", [1, 1, d])) }
        result.append(("pos_embed", [1, config.tokens, d]))
        for i in 0..<config.depth {
            let p = "blocks.\(i).", m = config.mlpDim(inBlock: i), e = config.heads(inBlock: i) * config.headWidth
            result += [
                (p + "norm1.weight", [d]), (p + "norm1.bias", [d]),
                (p + "attn.qkv.weight", [3 * e, d]), (p + "attn.qkv.bias", [3 * e]),
                (p + "attn.proj.weight", [d, e]), (p + "attn.proj.bias", [d]),
                (p + "norm2.weight", [d]), (p + "norm2.bias", [d]),
                (p + "mlp.fc1.weight", [m, d]), (p + "mlp.fc1.bias", [m]),
                (p + "mlp.fc2.weight", [d, m]), (p + "mlp.fc2.bias", [d]),
            ]
        }
        result += [("norm.weight", [d]), ("norm.bias", [d])]
        if config.pool == .seq { result += [("attention_pool.weight", [1, d]), ("attention_pool.bias", [1])] }
        result += [("head.weight", [k, d]), ("head.bias", [k])]
        if config.distillationToken { result += [("head_dist.weight", [k, d]), ("head_dist.bias", [k])] }
        return result
    }

    /// The norms of the encoder, by prefix: each block's norm1 and norm2, then the final norm.
    public static func normPrefixes(_ config: ModelConfig) -> [String] {
        (0..<config.depth).flatMap { ["blocks.\($0).norm1", "blocks.\($0).norm2"] } + ["norm"]
    }

    /// Buffers: values the model keeps and saves but never trains (PyTorch's register_buffer):
    /// BatchNorm's running_mean and running_var [D] (none for LayerNorm models). PyTorch's
    /// num_batches_tracked is not kept: with a fixed momentum nothing reads it.
    public static func bufferShapes(_ config: ModelConfig) -> [(String, [Int])] {
        guard config.norm == .batch else { return [] }
        return normPrefixes(config).flatMap { [($0 + ".running_mean", [config.dim]), ($0 + ".running_var", [config.dim])] }
    }

    public static func isBuffer(_ name: String) -> Bool {
        name.hasSuffix(".running_mean") || name.hasSuffix(".running_var")
    }

    /// Each conv tokenizer layer's input and output channels: C, then convChannels, ..., then D.
    public static func convolutionChannels(_ config: ModelConfig) -> [(in: Int, out: Int)] {
        let widths = [config.channels] + [Int](repeating: config.convChannels, count: config.convLayers - 1) + [config.dim]
        return (0..<config.convLayers).map { (widths[$0], widths[$0 + 1]) }
    }

    /// Weight decay applies to matrices only (convolution and sequence-pooling weights included):
    /// not to biases, norms, embeddings or tokens.
    public static func decays(_ name: String) -> Bool {
        name.hasSuffix(".weight") && !name.contains("norm")
    }

    /// The matrices that pruning and quantization act on, by layer kind.
    public static func isLinearWeight(_ name: String) -> Bool {
        name.hasSuffix(".weight") && !name.contains("norm") && !name.hasPrefix("patch_embed")
            && !name.hasPrefix("head") && !staysDense(name)
    }

    /// The conv tokenizer and sequence pooling are never pruned or quantized: they are small,
    /// and the tokenizer's convolutions are not linear layers.
    public static func staysDense(_ name: String) -> Bool {
        name.hasPrefix("tokenizer.") || name.hasPrefix("attention_pool.")
    }

    /// timm's init: trunc_normal(0.02) for Linear weights and pos_embed, zero biases, unit norms,
    /// normal(1e-6) for the class and distillation tokens, and PyTorch's conv default
    /// (uniform +-1/sqrt(fan_in)) for the patch embedding, which timm leaves untouched. Conv
    /// tokenizer models follow CCT: Kaiming normal (fan_in, ReLU gain) convolutions and
    /// trunc_normal(0.2) for pos_embed. BatchNorm's buffers start as PyTorch's: mean 0, variance 1
    /// (drawing nothing, so a LayerNorm and a BatchNorm model of one seed share their weights).
    public static func initialValues(_ config: ModelConfig, generator: inout SeededGenerator) -> [String: Tensor] {
        var values: [String: Tensor] = [:]
        for (name, shape) in bufferShapes(config) {
            values[name] = Tensor(repeating: name.hasSuffix(".running_var") ? 1 : 0, shape: shape)
        }
        let fanIn = Float(config.patchFeatures)
        for (name, shape) in shapes(config) {
            let count = shape.reduce(1, *)
            let data: [Float]
            if name.hasPrefix("tokenizer.") {
                let std = (2 / Float(shape[1] * shape[2] * shape[3])).squareRoot()
                data = (0..<count).map { _ in generator.nextNormal() * std }
            } else if name == "pos_embed" && config.tokenizer == .conv {
                data = (0..<count).map { _ in generator.nextTruncatedNormal(std: 0.2) }
            } else if name.hasPrefix("patch_embed") {
                let bound = 1 / fanIn.squareRoot()
                data = (0..<count).map { _ in (generator.nextUniform() * 2 - 1) * bound }
            } else if name == "cls_token" || name == "dist_token" {
                data = (0..<count).map { _ in generator.nextNormal() * 1e-6 }
            } else if name.contains("norm") && name.hasSuffix(".weight") {
                data = [Float](repeating: 1, count: count)
            } else if name.hasSuffix(".bias") {
                data = [Float](repeating: 0, count: count)
            } else {
                data = (0..<count).map { _ in generator.nextTruncatedNormal(std: 0.02) }
            }
            values[name] = Tensor(shape: shape, data: data)
        }
        return values
    }
}
