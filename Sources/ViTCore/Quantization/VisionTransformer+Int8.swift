extension VisionTransformer {
    /// Whether any linear layer runs int8.
    public var isQuantized: Bool { parameters.contains { $0.quantized != nil } }

    /// A float model with the same values: for an int8 model, its dequantized weights.
    /// Masks are not copied (the copy is for timing and comparison, not training).
    public func floatCopy() -> VisionTransformer {
        let values = Dictionary(uniqueKeysWithValues: parametersAndBuffers.map { ($0.name, $0.value) })
        return try! VisionTransformer(config: config, values: values)  // same config and shapes: cannot fail
    }
}
