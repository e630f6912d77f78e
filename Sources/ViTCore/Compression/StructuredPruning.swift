import Foundation

// Structured pruning removes whole attention heads or MLP neurons and rebuilds a smaller dense
// model: on a CPU only fewer multiplies make inference faster, and scattered zeros are not fewer.
//   head h of block i owns rows h*Dh..<(h+1)*Dh of each of q, k and v in qkv.weight [3E, D]
//   (with those entries of qkv.bias [3E]) and columns h*Dh..<(h+1)*Dh of proj.weight [D, E];
//   neuron j owns row j of fc1.weight [M, D] (with fc1.bias[j]) and column j of fc2.weight [D, M].
// Importance is the L2 norm of the scores of a unit's weights in both matrices (biases left out, as
// in unstructured pruning): with the magnitude criterion, the L2 norm of its weights. A head whose proj columns are zero, or a neuron whose fc2 column is zero, adds nothing
// to the block's output, so the smaller model computes what the original computes with the
// removed units' weights zeroed; the test checks exactly that.

public enum PruningStructure: String, CaseIterable, Codable, Sendable {
    case unstructured, heads, neurons

    /// The unit that structured pruning removes; nil for unstructured pruning.
    public var unit: StructuredUnit? {
        switch self {
        case .unstructured: return nil
        case .heads: return .heads
        case .neurons: return .neurons
        }
    }
}

/// What structured pruning removes whole: attention heads or MLP neurons.
public enum StructuredUnit: String, Sendable { case heads, neurons }

public enum StructuredPruning {
    /// importance[block][unit]: the L2 norm of the scores of each head's (or neuron's) weights.
    public static func importance(of model: VisionTransformer, unit: StructuredUnit,
                                  criterion: PruningCriterion = MagnitudeCriterion()) -> [[Float]] {
        let config = model.config, width = config.dim, headWidth = config.headWidth
        return (0..<config.depth).map { block in
            let prefix = "blocks.\(block)."
            var sums: [Double]
            let scores = { (name: String) in criterion.scores(model.byName[prefix + name]!) }
            switch unit {
            case .heads:
                let heads = config.heads(inBlock: block), e = heads * headWidth
                // qkv.weight [3E, D]: head h's rows in part p (q, k, v) start at p*E + h*Dh.
                let rows = rowSquares(scores("attn.qkv.weight"), rows: 3 * e, columns: width)
                sums = (0..<heads).map { h in
                    (0..<3).reduce(0.0) { $0 + rows[($1 * e + h * headWidth)..<($1 * e + (h + 1) * headWidth)].reduce(0, +) }
                }
                // proj.weight [D, E]: head h's columns are h*Dh..<(h+1)*Dh.
                let columns = columnSquares(scores("attn.proj.weight"), rows: width, columns: e)
                for h in 0..<heads { sums[h] += columns[(h * headWidth)..<((h + 1) * headWidth)].reduce(0, +) }
            case .neurons:
                let m = config.mlpDim(inBlock: block)
                sums = rowSquares(scores("mlp.fc1.weight"), rows: m, columns: width)
                let columns = columnSquares(scores("mlp.fc2.weight"), rows: width, columns: m)
                for j in 0..<m { sums[j] += columns[j] }
            }
            return sums.map { Float($0.squareRoot()) }
        }
    }

    /// The units each block keeps, ascending. Removes round(S * units) of the least important
    /// units of each block (layer scope) or of all blocks together (global scope), always keeping
    /// at least one per block. Ties go in order: the lower block and index are removed first.
    public static func keptUnits(importance: [[Float]], sparsity: Double, scope: PruningScope) -> [[Int]] {
        precondition(sparsity >= 0 && sparsity < 1, "sparsity \(sparsity) is outside [0, 1)")
        var removed = importance.map { [Bool](repeating: false, count: $0.count) }
        func removeLeastImportant(_ candidates: [(block: Int, unit: Int)], count: Int) {
            let ordered = candidates.sorted {
                let (a, b) = (importance[$0.block][$0.unit], importance[$1.block][$1.unit])
                return a != b ? a < b : ($0.block, $0.unit) < ($1.block, $1.unit)
            }
            var left = count
            var keptPerBlock = importance.map(\.count)
            for candidate in ordered where left > 0 && keptPerBlock[candidate.block] > 1 {
                removed[candidate.block][candidate.unit] = true
                keptPerBlock[candidate.block] -= 1
                left -= 1
            }
        }
        switch scope {
        case .layer:
            for (block, units) in importance.enumerated() {
                removeLeastImportant(units.indices.map { (block, $0) },
                                     count: Int((sparsity * Double(units.count)).rounded()))
            }
        case .global:
            let all = importance.enumerated().flatMap { block, units in units.indices.map { (block, $0) } }
            removeLeastImportant(all, count: Int((sparsity * Double(all.count)).rounded()))
        }
        return removed.map { flags in flags.indices.filter { !flags[$0] } }
    }

    /// A new dense model holding only the `kept` units of each block; the config records the new
    /// widths (block_heads or block_mlp_dims) and masks, if any, are sliced with their weights.
    public static func removing(_ unit: StructuredUnit, from model: VisionTransformer,
                                keeping kept: [[Int]]) throws -> VisionTransformer {
        var config = model.config
        guard kept.count == config.depth else {
            throw ConfigError(message: "structured pruning needs kept units for \(config.depth) blocks, got \(kept.count)")
        }
        // BatchNorm's channels are the width D, which structured pruning keeps: its buffers carry over.
        var values = Dictionary(uniqueKeysWithValues: model.parametersAndBuffers.map { ($0.name, $0.value) })
        var masks = Dictionary(uniqueKeysWithValues: model.parameters.compactMap { p in p.mask.map { (p.name, $0) } })
        func slice(_ name: String, _ cut: (Tensor) -> Tensor) {
            values[name] = cut(values[name]!)
            if let mask = masks[name] { masks[name] = cut(mask) }
        }
        for (block, units) in kept.enumerated() {
            let available = unit == .heads ? config.heads(inBlock: block) : config.mlpDim(inBlock: block)
            guard !units.isEmpty, zip(units, units.dropFirst()).allSatisfy({ $0 < $1 }),
                  units.first! >= 0, units.last! < available else {
                throw ConfigError(message: "block \(block): kept units \(units) must be ascending, distinct and below \(available)")
            }
            let prefix = "blocks.\(block)."
            switch unit {
            case .heads:
                let headWidth = config.headWidth, e = available * headWidth
                let columns = units.flatMap { h in (h * headWidth)..<((h + 1) * headWidth) }
                let rows = (0..<3).flatMap { part in columns.map { part * e + $0 } }
                slice(prefix + "attn.qkv.weight") { gatherRows($0, rows) }
                slice(prefix + "attn.qkv.bias") { gatherRows($0, rows) }
                slice(prefix + "attn.proj.weight") { gatherColumns($0, columns) }
            case .neurons:
                slice(prefix + "mlp.fc1.weight") { gatherRows($0, units) }
                slice(prefix + "mlp.fc1.bias") { gatherRows($0, units) }
                slice(prefix + "mlp.fc2.weight") { gatherColumns($0, units) }
            }
        }
        if unit == .heads { config.blockHeads = kept.map(\.count) } else { config.blockMlpDims = kept.map(\.count) }
        let smaller = try VisionTransformer(config: config, values: values)
        for (name, mask) in masks { smaller.byName[name]!.mask = mask }
        return smaller
    }

    /// Squared L2 norm of each row of a row-major [R, C] matrix: [R].
    static func rowSquares(_ matrix: Tensor, rows: Int, columns: Int) -> [Double] {
        matrix.data.withUnsafeBufferPointer { w in
            (0..<rows).map { r in
                var sum: Float = 0
                for c in 0..<columns { sum += w[r * columns + c] * w[r * columns + c] }
                return Double(sum)
            }
        }
    }

    /// Squared L2 norm of each column of a row-major [R, C] matrix: [C].
    static func columnSquares(_ matrix: Tensor, rows: Int, columns: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        matrix.data.withUnsafeBufferPointer { w in
            sums.withUnsafeMutableBufferPointer { s in
                for r in 0..<rows {
                    for c in 0..<columns { s[c] += Double(w[r * columns + c] * w[r * columns + c]) }
                }
            }
        }
        return sums
    }

    /// The chosen rows of a tensor whose first axis is rows: [R, ...] -> [rows.count, ...].
    static func gatherRows(_ tensor: Tensor, _ rows: [Int]) -> Tensor {
        let width = tensor.count / tensor.shape[0]
        var result = Tensor(uninitialized: [rows.count] + tensor.shape.dropFirst())
        tensor.data.withUnsafeBufferPointer { source in
            result.data.withUnsafeMutableBufferPointer { target in
                for (i, row) in rows.enumerated() {
                    for c in 0..<width { target[i * width + c] = source[row * width + c] }
                }
            }
        }
        return result
    }

    /// The chosen columns of a row-major matrix: [R, C] -> [R, columns.count].
    static func gatherColumns(_ tensor: Tensor, _ columns: [Int]) -> Tensor {
        let (rows, width) = (tensor.shape[0], tensor.shape[1])
        var result = Tensor(uninitialized: [rows, columns.count])
        tensor.data.withUnsafeBufferPointer { source in
            result.data.withUnsafeMutableBufferPointer { target in
                for r in 0..<rows {
                    for (i, column) in columns.enumerated() { target[r * columns.count + i] = source[r * width + column] }
                }
            }
        }
        return result
    }
}
