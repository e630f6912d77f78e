import ViTCore

// An int8 checkpoint (stage "int8") stores each quantized layer's weight at its usual path as
// int8 [out, in] (or [D, C, P, P]), with siblings in /weights/<layer>/:
//   weight_scale      float32 [out]   W ~ q * weight_scale[out]
//   input_scale       float32 []      x ~ (q - input_zero_point) * input_scale  (static only;
//   input_zero_point  int32   []      dynamic files have neither)
// Everything else (biases, norms, tokens, embeddings) stays float32.

extension Checkpoint {
    /// Replaces each quantized layer's float weight with its int8 form and scales.
    public mutating func storeQuantizedWeights(of model: VisionTransformer) {
        for parameter in model.parameters {
            guard let quantized = parameter.quantized else { continue }
            let layer = Self.layerPrefix(parameter.name)
            weights[parameter.name] = StoredArray(shape: quantized.shape, values: .int8(quantized.weights.values))
            weights[layer + "weight_scale"] = StoredArray(floats: quantized.weightScales)
            if let input = quantized.input {
                weights[layer + "input_scale"] = StoredArray(shape: [], values: .float32([input.scale]))
                weights[layer + "input_zero_point"] = StoredArray(shape: [], values: .int32([input.zeroPoint]))
            }
        }
    }

    /// Whether any weight is stored as int8.
    public var hasInt8Weights: Bool { weights.values.contains { $0.elementType == .int8 } }

    /// "blocks.0.attn.qkv.weight" -> "blocks.0.attn.qkv."
    static func layerPrefix(_ weightName: String) -> String { String(weightName.dropLast("weight".count)) }

    static func weightPath(_ name: String) -> String { "/weights/" + name.replacingOccurrences(of: ".", with: "/") }

    /// The float value of an int8 weight (q * weight_scale), or nil when `stored` is not int8.
    func dequantizedWeight(_ name: String, _ stored: StoredArray, file: String) throws -> Tensor? {
        guard let values = stored.int8s else { return nil }
        guard name.hasSuffix(".weight"), !name.contains("norm") else {
            throw StoreError.wrongElementType(file: file, path: Self.weightPath(name), stored: .int8, requested: .float32)
        }
        let scales = try weightScales(name, rows: stored.shape[0], file: file)
        return WeightQuantization.dequantize(values, scales: scales, shape: stored.shape)
    }

    /// Gives every layer whose weight is int8 its `quantized` form; refuses scale or zero-point
    /// datasets that belong to no int8 weight.
    func attachQuantizedWeights(to model: VisionTransformer, file: String) throws {
        var claimed: Set<String> = []
        for parameter in model.parameters {
            guard let values = weights[parameter.name]?.int8s else { continue }
            let layer = Self.layerPrefix(parameter.name)
            let scales = try weightScales(parameter.name, rows: parameter.shape[0], file: file)
            let input = try inputQuantization(layer, file: file)
            parameter.quantized = QuantizedLinearWeights(values: values, weightScales: scales,
                                                         shape: parameter.shape, input: input)
            claimed.formUnion([layer + "weight_scale", layer + "input_scale", layer + "input_zero_point"])
        }
        let stray = weights.keys.filter { ($0.hasSuffix("_scale") || $0.hasSuffix("_zero_point")) && !claimed.contains($0) }
        if let first = stray.sorted().first {
            throw StoreError.unexpectedDataset(file: file, path: Self.weightPath(first) + " (its weight is not int8)")
        }
    }

    private func weightScales(_ weightName: String, rows: Int, file: String) throws -> [Float] {
        let name = Self.layerPrefix(weightName) + "weight_scale", path = Self.weightPath(name)
        guard let stored = weights[name] else { throw StoreError.missingDataset(file: file, path: path) }
        guard let scales = stored.floats else {
            throw StoreError.wrongElementType(file: file, path: path, stored: stored.elementType, requested: .float32)
        }
        guard stored.shape == [rows] else { throw StoreError.shapeMismatch(file: file, path: path, found: stored.shape, expected: [rows]) }
        guard scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw StoreError.operationFailed(file: file, action: "cannot use \(path)", detail: "scales must be positive and finite")
        }
        return scales
    }

    /// Static files store both input_scale and input_zero_point; dynamic files neither.
    private func inputQuantization(_ layer: String, file: String) throws -> ActivationQuantization? {
        let scaleName = layer + "input_scale", zeroName = layer + "input_zero_point"
        switch (weights[scaleName], weights[zeroName]) {
        case (nil, nil):
            return nil
        case (let scale?, let zero?):
            guard scale.shape == [], let value = scale.floats?.first, value > 0, value.isFinite else {
                throw StoreError.operationFailed(file: file, action: "cannot use \(Self.weightPath(scaleName))",
                                                 detail: "expected a positive float32 scalar")
            }
            guard zero.shape == [], let point = zero.int32s?.first, (0...255).contains(point) else {
                throw StoreError.operationFailed(file: file, action: "cannot use \(Self.weightPath(zeroName))",
                                                 detail: "expected an int32 scalar in 0...255")
            }
            return ActivationQuantization(scale: value, zeroPoint: point)
        case (nil, _):
            throw StoreError.missingDataset(file: file, path: Self.weightPath(scaleName))
        case (_, nil):
            throw StoreError.missingDataset(file: file, path: Self.weightPath(zeroName))
        }
    }
}
