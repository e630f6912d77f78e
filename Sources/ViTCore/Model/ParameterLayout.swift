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
    /// trunc_normal(0.2) for pos_embed.
    public static func initialValues(_ config: ModelConfig, generator: inout SeededGenerator) -> [String: Tensor] {
        var values: [String: Tensor] = [:]
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
