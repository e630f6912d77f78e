/// A trainable array with its gradient, known everywhere by its timm name
/// (`blocks.3.attn.qkv.weight`). A reference type: layers, the optimizer and the
/// checkpoint code all see the same storage.
public final class Parameter {
    public let name: String
    public var value: Tensor
    /// Accumulated with `+=` by every backward; zeroed only by `VisionTransformer.zeroGradients`.
    public var gradient: Tensor
    /// 1 where the weight lives, 0 where pruning removed it; nil when dense.
    public var mask: Tensor?
    /// AdamW's weight decay applies (linear and patch-embedding weights only).
    public let decays: Bool
    /// The int8 form of a linear layer's weight; when set, `Linear.forward` runs int8.
    public var quantized: QuantizedLinearWeights?
    /// Called by `Linear.forward` with the layer's input [T, in] (calibration); nil otherwise.
    public var inputObserver: ((Tensor) -> Void)?

    public init(name: String, value: Tensor, decays: Bool) {
        self.name = name
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
        self.decays = decays
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }
}

extension Tensor {
    /// A tensor whose values the caller overwrites entirely (skips zero-filling large buffers).
    public init(uninitialized shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, data: [Float](unsafeUninitializedCapacity: count) { _, initialized in
            initialized = count
        })
    }
}
