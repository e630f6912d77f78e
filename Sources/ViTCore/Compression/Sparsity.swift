import Foundation

/// The share of exactly-zero weights in each pruned matrix and over all of them (vit-eval's
/// sparsity lines). The pruned matrices are those with a mask; a model without masks is
/// measured over qkv, proj, fc1 and fc2, the matrices vit-prune acts on by default.
public struct SparsityReport: Equatable, Sendable {
    public struct Layer: Equatable, Sendable {
        public var name: String
        public var count: Int
        public var zeros: Int
        public var sparsity: Double { count == 0 ? 0 : Double(zeros) / Double(count) }
    }

    public var layers: [Layer]
    /// Whether the layers are masked matrices (false: the default set of a dense model).
    public var masked: Bool

    public init(model: VisionTransformer) {
        let masked = model.parameters.filter { $0.mask != nil }
        self.init(parameters: masked.isEmpty ? MagnitudePruning.targets(in: model, layers: PrunableLayer.defaults) : masked)
    }

    /// The zeros of the given matrices (vit-prune logs them after each fine-tuning epoch).
    public init(parameters: [Parameter]) {
        masked = parameters.contains { $0.mask != nil }
        layers = parameters.map { parameter in
            let zeros = parameter.value.data.withUnsafeBufferPointer { w in
                var zeros = 0
                for value in w where value == 0 { zeros += 1 }
                return zeros
            }
            return Layer(name: parameter.name, count: parameter.count, zeros: zeros)
        }
    }

    public var count: Int { layers.reduce(0) { $0 + $1.count } }
    public var zeros: Int { layers.reduce(0) { $0 + $1.zeros } }
    public var total: Double { count == 0 ? 0 : Double(zeros) / Double(count) }

    /// name -> fraction of zeros, for JSON output.
    public var layerFractions: [String: Double] {
        Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0.sparsity) })
    }

    /// One total line, then one line per layer when anything is pruned.
    public var description: String {
        let which = masked ? "\(layers.count) masked matrices" : "the \(layers.count) qkv/proj/fc1/fc2 matrices"
        var lines = ["sparsity: " + percent(total) + " zeros over \(which) (\(zeros) of \(count) weights)"]
        if masked || zeros > 0 {
            lines += layers.map { "  \($0.name): " + percent($0.sparsity) }
        }
        return lines.joined(separator: "\n")
    }

    private func percent(_ fraction: Double) -> String { String(format: "%.2f%%", 100 * fraction) }
}
