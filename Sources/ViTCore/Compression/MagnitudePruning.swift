import Foundation

// Unstructured pruning: the k weights of smallest score (|w| by default, see PruningCriterion)
// get mask 0 and value 0.
//   layer scope:  k_i = round(S * count_i) in each matrix (the same fraction everywhere);
//   global scope: k = round(S * total) over all chosen matrices (one threshold), so layers whose
//                 weights are small lose more.
// Ties at the threshold go in position order (earlier matrix, then earlier index), so the
// fraction is exact and the same weights go every time. Weights already masked rank below
// every live one: pruning only ever adds zeros, and a gradual schedule never revives a weight.

/// The kinds of weight matrix that pruning may act on. Biases, norms, tokens and the position
/// embedding are never pruned: they are a tiny share of the parameters and every one matters.
public enum PrunableLayer: String, CaseIterable, Codable, Sendable {
    case qkv, proj, fc1, fc2
    case patchEmbed = "patch_embed"
    /// The class head (and the distillation head, when there is one).
    case head

    public static let defaults: [PrunableLayer] = [.qkv, .proj, .fc1, .fc2]

    /// The kind of a weight matrix, or nil for a parameter that is never pruned.
    public init?(weightName name: String) {
        switch name {
        case "patch_embed.proj.weight": self = .patchEmbed
        case "head.weight", "head_dist.weight": self = .head
        default:
            guard name.hasPrefix("blocks.") else { return nil }
            if name.hasSuffix(".attn.qkv.weight") { self = .qkv }
            else if name.hasSuffix(".attn.proj.weight") { self = .proj }
            else if name.hasSuffix(".mlp.fc1.weight") { self = .fc1 }
            else if name.hasSuffix(".mlp.fc2.weight") { self = .fc2 }
            else { return nil }
        }
    }

    /// "qkv,fc1" -> [.qkv, .fc1]; a one-line error names an unknown or repeated layer.
    public static func parseList(_ text: String) throws -> [PrunableLayer] {
        let expected = allCases.map(\.rawValue).joined(separator: ", ")
        var layers: [PrunableLayer] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let layer = PrunableLayer(rawValue: name) else {
                throw ConfigError(message: "unknown layer '\(name)' (expected some of \(expected))")
            }
            guard !layers.contains(layer) else { throw ConfigError(message: "layer '\(name)' is listed twice") }
            layers.append(layer)
        }
        return layers
    }
}

public enum PruningScope: String, CaseIterable, Codable, Sendable { case global, layer }

public enum MagnitudePruning {
    /// The weight matrices of the given kinds, in the model's parameter order.
    public static func targets(in model: VisionTransformer, layers: [PrunableLayer]) -> [Parameter] {
        model.parameters.filter { PrunableLayer(weightName: $0.name).map(layers.contains) ?? false }
    }

    /// Masks and zeroes the lowest-scored fraction `sparsity` of `parameters` (in [0, 1)),
    /// keeping every existing mask. Returns the fraction of their weights now masked.
    @discardableResult
    public static func prune(_ parameters: [Parameter], sparsity: Double, scope: PruningScope,
                             criterion: PruningCriterion = MagnitudeCriterion()) -> Double {
        precondition(sparsity >= 0 && sparsity < 1, "sparsity \(sparsity) is outside [0, 1)")
        switch scope {
        case .layer:
            for parameter in parameters {
                pruneSmallest(in: [parameter], count: Int((sparsity * Double(parameter.count)).rounded()),
                              criterion: criterion)
            }
        case .global:
            let total = parameters.reduce(0) { $0 + $1.count }
            pruneSmallest(in: parameters, count: Int((sparsity * Double(total)).rounded()), criterion: criterion)
        }
        return maskedFraction(parameters)
    }

    /// The fraction of the parameters' weights whose mask is 0 (unmasked parameters count as dense).
    public static func maskedFraction(_ parameters: [Parameter]) -> Double {
        var masked = 0, total = 0
        for parameter in parameters {
            total += parameter.count
            guard let mask = parameter.mask else { continue }
            mask.data.withUnsafeBufferPointer { m in
                for value in m where value == 0 { masked += 1 }
            }
        }
        return total == 0 ? 0 : Double(masked) / Double(total)
    }

    /// Sets every masked weight to +0. AdamW multiplies by the mask, which leaves -0 behind
    /// negative weights; +0 everywhere makes the deflated file smaller.
    public static func applyMasks(_ parameters: [Parameter]) {
        for parameter in parameters {
            guard let mask = parameter.mask else { continue }
            mask.data.withUnsafeBufferPointer { m in
                parameter.value.data.withUnsafeMutableBufferPointer { w in
                    for i in 0..<w.count where m[i] == 0 { w[i] = 0 }
                }
            }
        }
    }

    /// Masks the `count` lowest-ranked weights of `group`, ranked by score (-1 when already masked).
    private static func pruneSmallest(in group: [Parameter], count: Int, criterion: PruningCriterion) {
        for parameter in group where parameter.mask == nil {
            parameter.mask = Tensor(repeating: 1, shape: parameter.shape)
        }
        let total = group.reduce(0) { $0 + $1.count }
        guard count > 0, total > 0 else { return }
        // ranks: [sum of counts], the group's weights one matrix after another
        var ranks = [Float](repeating: 0, count: total)
        var offset = 0
        ranks.withUnsafeMutableBufferPointer { r in
            for parameter in group {
                criterion.scores(parameter).data.withUnsafeBufferPointer { s in
                    parameter.mask!.data.withUnsafeBufferPointer { m in
                        for i in 0..<s.count { r[offset + i] = m[i] == 0 ? -1 : s[i] }
                    }
                }
                offset += parameter.count
            }
        }
        let sorted = ranks.sorted()
        let threshold = sorted[min(count, total) - 1]
        // Everything below the threshold goes; of the weights equal to it, the first few.
        var firstEqual = min(count, total) - 1
        while firstEqual > 0 && sorted[firstEqual - 1] == threshold { firstEqual -= 1 }
        var equalToTake = min(count, total) - firstEqual
        offset = 0
        for parameter in group {
            ranks.withUnsafeBufferPointer { r in
                parameter.value.data.withUnsafeMutableBufferPointer { w in
                    parameter.mask!.data.withUnsafeMutableBufferPointer { m in
                        for i in 0..<w.count {
                            let rank = r[offset + i]
                            guard rank < threshold || (rank == threshold && equalToTake > 0) else { continue }
                            if rank == threshold { equalToTake -= 1 }
                            m[i] = 0
                            w[i] = 0
                        }
                    }
                }
            }
            offset += parameter.count
        }
    }
}
