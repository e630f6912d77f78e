import Foundation
import ViTCore

// vitc's inference forward (VisionTransformer.forward without caches) as an ONNX graph:
//   images [N, C, S, S], already normalised -> tokens [N, G*G, D] (Conv with stride P, or
//   CCT's Conv3x3 -> Relu -> MaxPool3x3/2 layers, then Reshape + Transpose)
//   -> Concat([cls?, dist?, tokens], axis 1) + pos_embed: [N, T, D]
//   -> blocks: x + proj(attention(norm1(x))), then x + fc2(gelu(fc1(norm2(x))))
//   -> norm -> pooled [N, D] (token 0, the mean after the prefix, or sequence pooling)
//   -> head: logits [N, K]; with a distillation token 0.5 (head(pooled) + head_dist(dist token)),
//      the dist token at index 1 after a class token, else 0.
// Linear layers are MatMul with the weight transposed to [in, out], then Add of the bias.
// LayerNorm is LayerNormalization (opset 17); inference BatchNorm is Mul/Add with vitc's own
// folded scale and shift; GELU is the erf form spelled out, since opset 17 has no Gelu.
// Quantized layers get QDQ pairs (ONNXExport+Int8).

enum ONNXExport {
    static let opsetVersion = 17
    static let irVersion = 8
    static let inputName = "images"
    static let outputName = "logits"

    /// The ONNX model of `model`, with `metadata` as metadata_props (in the given order).
    static func makeModel(_ model: VisionTransformer, metadata: [(key: String, value: String)]) -> Onnx_ModelProto {
        var writer = GraphWriter(model: model)
        let logits = writer.forward(inputName)
        let config = model.config
        let input = ONNXGraphBuilder.valueInfo(inputName, type: .float, shape: [
            .symbolic("N"), .fixed(config.channels), .fixed(config.imageSize), .fixed(config.imageSize)])
        let output = ONNXGraphBuilder.valueInfo(outputName, type: .float, shape: [.symbolic("N"), .fixed(config.numClasses)])
        writer.builder.node("Identity", [logits], name: outputName)

        var proto = Onnx_ModelProto()
        proto.irVersion = Int64(irVersion)
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(opsetVersion)
        proto.opsetImport = [opset]
        proto.producerName = "vitc"
        proto.graph = writer.builder.graph(name: "vitc", inputs: [input], outputs: [output])
        proto.metadataProps = metadata.map { entry in
            var property = Onnx_StringStringEntryProto()
            property.key = entry.key
            property.value = entry.value
            return property
        }
        return proto
    }
}

/// Writes the nodes of one model's forward into a builder; the weights come from the model.
struct GraphWriter {
    let model: VisionTransformer
    var builder = ONNXGraphBuilder()
    private var sharedScalars: [String: String] = [:]

    init(model: VisionTransformer) {
        self.model = model
    }

    private var config: ModelConfig { model.config }

    private func parameter(_ name: String) -> Parameter {
        guard let parameter = model.byName[name] ?? model.buffers.first(where: { $0.name == name }) else {
            preconditionFailure("GraphWriter: the model has no \(name)")
        }
        return parameter
    }

    /// A float parameter as an initializer under its timm name, in its own shape.
    private mutating func weight(_ name: String) -> String {
        let value = parameter(name).value
        return builder.constant(name, floats: value.data, shape: value.shape)
    }

    /// One float32 scalar initializer per value, shared by every node that uses it.
    mutating func scalar(_ name: String, _ value: Float) -> String {
        if let existing = sharedScalars[name] { return existing }
        let created = builder.scalar(name, value)
        sharedScalars[name] = created
        return created
    }

    mutating func int64s(_ name: String, _ values: [Int]) -> String {
        builder.constant(name, int64s: values, shape: [values.count])
    }

    /// images [N, C, S, S] -> logits [N, K].
    mutating func forward(_ images: String) -> String {
        var x = tokenize(images)
        x = prependTokens(x, images: images)
        x = builder.node("Add", [x, weight("pos_embed")], name: "pos_embed.add")
        for i in 0..<config.depth { x = block(x, index: i) }
        x = norm(x, "norm")
        let pooled = pool(x)
        var logits = linear(pooled, "head")
        if config.distillationToken {
            // As VisionTransformer.forward at inference: head_dist reads the distillation token (1 after
            // a class token, else 0); the heads are averaged.
            let index = config.distillationTokenIndex!
            let token = builder.node("Gather", [x, builder.constant("token_index_\(index)", int64s: [index], shape: [])],
                                     name: "dist_token.out", attributes: [.int("axis", 1)])
            let distilled = linear(token, "head_dist")
            let sum = builder.node("Add", [logits, distilled], name: "heads.sum")
            logits = builder.node("Mul", [sum, scalar("half", 0.5)], name: "heads.mean")
        }
        return logits
    }

    /// images [N, C, S, S] -> image tokens [N, G*G, D] (row-major pixels of the last map).
    private mutating func tokenize(_ images: String) -> String {
        var map: String
        switch config.tokenizer {
        case .patch:
            let p = config.patchSize
            map = convolution(images, "patch_embed.proj", attributes: [.ints("kernel_shape", [p, p]), .ints("strides", [p, p])])
        case .conv:
            map = images
            for i in 0..<config.convLayers {
                let prefix = "tokenizer.conv_layers.\(i)"
                map = builder.node("Conv", [map, weight(prefix + ".0.weight")], name: prefix + ".conv",
                                   attributes: [.ints("kernel_shape", [3, 3]), .ints("pads", [1, 1, 1, 1])])
                map = builder.node("Relu", [map], name: prefix + ".relu")
                map = builder.node("MaxPool", [map], name: prefix + ".pool",
                                   attributes: [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]),
                                                .ints("pads", [1, 1, 1, 1])])
            }
        }
        let flat = builder.node("Reshape", [map, int64s("tokens.shape", [0, config.dim, -1])], name: "tokens.flat")
        return builder.node("Transpose", [flat], name: "tokens", attributes: [.ints("perm", [0, 2, 1])])
    }

    /// [N, G*G, D] -> [N, T, D] with the class and distillation tokens in front, broadcast over N.
    private mutating func prependTokens(_ tokens: String, images: String) -> String {
        let names = (config.pool == .cls ? ["cls_token"] : []) + (config.distillationToken ? ["dist_token"] : [])
        guard !names.isEmpty else { return tokens }
        let shape = builder.node("Shape", [images], name: "images.shape")
        let batch = builder.node("Slice", [shape, int64s("zero", [0]), int64s("one", [1])], name: "batch")
        let target = builder.node("Concat", [batch, int64s("token.shape", [1, config.dim])], name: "prefix.shape",
                                  attributes: [.int("axis", 0)])
        let prefix = names.map { builder.node("Expand", [weight($0), target], name: $0 + ".batch") }
        return builder.node("Concat", prefix + [tokens], name: "tokens.all", attributes: [.int("axis", 1)])
    }

    /// x [N, T, D] -> x + attn(norm1(x)) -> x + fc2(gelu(fc1(norm2(x)))).
    private mutating func block(_ x: String, index i: Int) -> String {
        let prefix = "blocks.\(i)"
        let attended = attention(norm(x, prefix + ".norm1"), prefix: prefix + ".attn", heads: config.heads(inBlock: i))
        let x1 = builder.node("Add", [x, attended], name: prefix + ".residual1")
        let hidden = gelu(linear(norm(x1, prefix + ".norm2"), prefix + ".mlp.fc1"), name: prefix + ".mlp.gelu")
        return builder.node("Add", [x1, linear(hidden, prefix + ".mlp.fc2")], name: prefix + ".residual2")
    }

    /// x [N, T, D] -> qkv [N, T, 3E] -> q, k, v [N, H, T, Dh] -> softmax(q k^T / sqrt(Dh)) v -> proj: [N, T, D].
    private mutating func attention(_ x: String, prefix: String, heads: Int) -> String {
        let width = config.headWidth
        let qkv = linear(x, prefix + ".qkv")
        let split = builder.node("Reshape", [qkv, int64s(prefix + ".qkv.shape", [0, 0, 3, heads, width])],
                                 name: prefix + ".qkv.split")
        let stacked = builder.node("Transpose", [split], name: prefix + ".qkv.heads", attributes: [.ints("perm", [2, 0, 3, 1, 4])])
        let (q, k, v) = (part(stacked, 0, prefix + ".q"), part(stacked, 1, prefix + ".k"), part(stacked, 2, prefix + ".v"))
        let kT = builder.node("Transpose", [k], name: prefix + ".k.t", attributes: [.ints("perm", [0, 1, 3, 2])])
        let scores = builder.node("MatMul", [q, kT], name: prefix + ".scores")
        let scaled = builder.node("Mul", [scores, scalar("attention_scale_\(width)", 1 / Float(width).squareRoot())],
                                  name: prefix + ".scores.scaled")
        let probabilities = builder.node("Softmax", [scaled], name: prefix + ".probabilities", attributes: [.int("axis", -1)])
        let out = builder.node("MatMul", [probabilities, v], name: prefix + ".out")
        let tokenMajor = builder.node("Transpose", [out], name: prefix + ".out.t", attributes: [.ints("perm", [0, 2, 1, 3])])
        let merged = builder.node("Reshape", [tokenMajor, int64s(prefix + ".out.shape", [0, 0, heads * width])],
                                  name: prefix + ".merged")
        return linear(merged, prefix + ".proj")
    }

    /// [3, N, H, T, Dh] -> part `index` [N, H, T, Dh].
    private mutating func part(_ stacked: String, _ index: Int, _ name: String) -> String {
        builder.node("Gather", [stacked, builder.constant(name + ".index", int64s: [index], shape: [])], name: name,
                     attributes: [.int("axis", 0)])
    }

    /// 0.5 x (1 + erf(x / sqrt 2)), as vitc's exact GELU.
    private mutating func gelu(_ x: String, name: String) -> String {
        let scaled = builder.node("Div", [x, scalar("sqrt2", Float(2).squareRoot())], name: name + ".scaled")
        let erf = builder.node("Erf", [scaled], name: name + ".erf")
        let shifted = builder.node("Add", [erf, scalar("one", 1)], name: name + ".shifted")
        let product = builder.node("Mul", [x, shifted], name: name + ".product")
        return builder.node("Mul", [product, scalar("half", 0.5)], name: name)
    }

    /// LayerNorm over D with vitc's epsilon, or BatchNorm's inference affine x a + c per channel
    /// (left out when it is an identity, as an int8 file's folded norms are).
    private mutating func norm(_ x: String, _ prefix: String) -> String {
        let (gamma, beta) = (parameter(prefix + ".weight"), parameter(prefix + ".bias"))
        switch config.norm {
        case .layer:
            let epsilon = LayerNorm(gamma: gamma, beta: beta).epsilon
            return builder.node("LayerNormalization", [x, weight(gamma.name), weight(beta.name)], name: prefix,
                                attributes: [.int("axis", -1), .float("epsilon", epsilon)])
        case .batch:
            let norm = BatchNorm(gamma: gamma, beta: beta, runningMean: parameter(prefix + ".running_mean"),
                                 runningVariance: parameter(prefix + ".running_var"))
            let (scale, shift) = norm.inferenceAffine()
            if scale.allSatisfy({ $0 == 1 }) && shift.allSatisfy({ $0 == 0 }) { return x }
            let scaled = builder.node("Mul", [x, builder.constant(prefix + ".scale", floats: scale, shape: [scale.count])],
                                      name: prefix + ".scaled")
            return builder.node("Add", [scaled, builder.constant(prefix + ".shift", floats: shift, shape: [shift.count])],
                                name: prefix)
        }
    }

    /// x [N, T, D] -> [N, D]: token 0, the mean of the tokens after the prefix, or sequence pooling.
    private mutating func pool(_ x: String) -> String {
        if config.pool == .cls {
            return builder.node("Gather", [x, builder.constant("token_index_0", int64s: [0], shape: [])], name: "pooled",
                                attributes: [.int("axis", 1)])
        }
        var tokens = x
        if config.prefixTokens > 0 {
            tokens = builder.node("Slice", [x, int64s("prefix.start", [config.prefixTokens]), int64s("prefix.end", [Int(Int64.max)]),
                                            int64s("prefix.axis", [1])], name: "image_tokens")
        }
        if config.pool == .mean {
            return builder.node("ReduceMean", [tokens], name: "pooled", attributes: [.ints("axes", [1]), .int("keepdims", 0)])
        }
        // CCT: softmax over the tokens of attention_pool(x) [N, T', 1], then the weighted sum over T'.
        let scores = linear(tokens, "attention_pool")
        let weights = builder.node("Softmax", [scores], name: "attention_pool.softmax", attributes: [.int("axis", 1)])
        let weighted = builder.node("Mul", [weights, tokens], name: "attention_pool.weighted")
        return builder.node("ReduceSum", [weighted, int64s("pool.axes", [1])], name: "pooled",
                            attributes: [.int("keepdims", 0)])
    }

    /// x [..., in] -> x W^T + b [..., out]; an int8 layer reads its input through a QDQ pair.
    mutating func linear(_ x: String, _ prefix: String) -> String {
        let weight = parameter(prefix + ".weight")
        let (input, matrix): (String, String)
        if let quantized = weight.quantized {
            input = quantizedActivation(x, quantized.input, layer: prefix)
            matrix = dequantizedMatrix(prefix, quantized)
        } else {
            let (rows, columns) = (weight.shape[0], weight.shape[1])
            var transposed = [Float](repeating: 0, count: rows * columns)
            for r in 0..<rows {
                for c in 0..<columns { transposed[c * rows + r] = weight.value.data[r * columns + c] }
            }
            (input, matrix) = (x, builder.constant(weight.name, floats: transposed, shape: [columns, rows]))
        }
        let product = builder.node("MatMul", [input, matrix], name: prefix + ".matmul")
        guard model.byName[prefix + ".bias"] != nil else { return product }
        return builder.node("Add", [product, self.weight(prefix + ".bias")], name: prefix)
    }

    /// A convolution with the layer's weight [O, C, kh, kw] and bias [O]; int8 when quantized.
    private mutating func convolution(_ x: String, _ prefix: String, attributes: [ONNXAttribute]) -> String {
        let weight = parameter(prefix + ".weight")
        var inputs = [x, ""]
        if let quantized = weight.quantized {
            inputs = [quantizedActivation(x, quantized.input, layer: prefix), dequantizedKernel(prefix, quantized)]
        } else {
            inputs[1] = self.weight(weight.name)
        }
        return builder.node("Conv", inputs + [self.weight(prefix + ".bias")], name: prefix, attributes: attributes)
    }
}
