/// Post-training quantization of a float model: per-channel int8 weights for every linear layer
/// and, in static mode, activation scales calibrated on a few training batches. A BatchNorm
/// model's block norms are first folded into the layers after them (BatchNormFolding).
public enum PostTrainingQuantization {
    /// The weights that get int8 forms: every block's qkv, proj, fc1 and fc2, the head(s), and
    /// the patch embedding when asked (the first layer sees raw pixels and is the most sensitive).
    /// A conv tokenizer and sequence pooling stay float32 (`ParameterLayout.staysDense`).
    public static func layerWeightNames(_ config: ModelConfig, patchEmbedding: Bool) -> [String] {
        ParameterLayout.shapes(config).map(\.0).filter { name in
            name.hasSuffix(".weight") && !name.contains("norm") && !ParameterLayout.staysDense(name)
                && (patchEmbedding || !name.hasPrefix("patch_embed"))
        }
    }

    /// Attaches an int8 weight to each layer of `layerWeightNames`. Static mode first calibrates
    /// on `batchCount` batches of normalised images ([B, C, S, S]) from `batch`.
    public static func quantize(_ model: VisionTransformer, settings: QuantizationSettings,
                                batchCount: Int, batch: (Int) -> Tensor) throws {
        try settings.validate()
        let names = layerWeightNames(model.config, patchEmbedding: settings.patchEmbedding)
        if let done = names.first(where: { model.byName[$0]!.quantized != nil }) {
            throw QuantizationError("\(done) is already quantized")
        }
        // BatchNorm models: norm1 and norm2 become part of qkv and fc1 before anything is measured.
        BatchNormFolding.fold(model)
        var inputs: [String: ActivationQuantization] = [:]
        if settings.mode == .static {
            inputs = calibrate(model, layers: names, settings: settings, batchCount: batchCount, batch: batch)
        }
        for name in names {
            let parameter = model.byName[name]!
            let quantized = QuantizedLinearWeights(quantizing: parameter.value, input: inputs[name])
            parameter.quantized = quantized
            parameter.value = quantized.dequantized  // what the int8 product multiplies by, as a loaded file has
        }
    }

    /// The static input quantization of each layer, from the float model's forward passes.
    public static func calibrate(_ model: VisionTransformer, layers names: [String], settings: QuantizationSettings,
                                 batchCount: Int, batch: (Int) -> Tensor) -> [String: ActivationQuantization] {
        let parameters = names.map { model.byName[$0]! }
        defer { for parameter in parameters { parameter.inputObserver = nil } }
        func run() { for i in 0..<batchCount { _ = model.forward(batch(i)) } }

        let ranges = parameters.map { _ in ActivationRange() }
        for (parameter, range) in zip(parameters, ranges) { parameter.inputObserver = range.record }
        run()
        var bounds = ranges.map { ($0.minimum, $0.maximum) }
        if settings.calibration == .percentile && settings.percentile < 100 {
            let histograms = ranges.map { ActivationHistogram(minimum: $0.minimum, maximum: $0.maximum) }
            for (parameter, histogram) in zip(parameters, histograms) { parameter.inputObserver = histogram.record }
            run()
            bounds = histograms.map { $0.clippedRange(percentile: settings.percentile) }
        }
        var result: [String: ActivationQuantization] = [:]
        for (name, (low, high)) in zip(names, bounds) {
            result[name] = ActivationQuantization(minimum: low, maximum: high)
        }
        return result
    }
}
