// What one image costs the model's matrix products and convolutions, in multiply-accumulates
// (the element-wise work is left out): the figure a speed is compared with the CPU's peak by.
//   patch tokenizer: G^2 * (C P^2) * D;  conv tokenizer: sum over layers of Si^2 * Ci * C(i+1) * 9
//   block: N * (D * 3E + E * D + 2 * D * M) + 2 * N^2 * E (q k^T and P v);  seq pooling: N * D
//   heads: D * K (twice with a distillation token)
// A training step costs about 3 times the forward (forward, the input gradient, the weight gradient).

extension ModelConfig {
    public var forwardMultiplyAccumulates: Int {
        var total = 0
        switch tokenizer {
        case .patch:
            total += patchCount * patchFeatures * dim
        case .conv:
            var (size, inChannels) = (imageSize, channels)
            for layer in 0..<convLayers {
                let outChannels = layer == convLayers - 1 ? dim : convChannels
                total += size * size * inChannels * outChannels * 9
                (size, inChannels) = (MaxPool.outputSize(size), outChannels)
            }
        }
        for block in 0..<depth {
            let width = heads(inBlock: block) * headWidth, hidden = mlpDim(inBlock: block)
            total += tokens * (dim * 3 * width + width * dim + 2 * dim * hidden) + 2 * tokens * tokens * width
        }
        if pool == .seq { total += patchCount * dim }
        total += dim * numClasses * (distillationToken ? 2 : 1)
        return total
    }

    /// Floating-point operations of one image's training step: 3 products per forward one, 2 per MAC.
    public var trainingFlops: Double { 6 * Double(forwardMultiplyAccumulates) }
}
