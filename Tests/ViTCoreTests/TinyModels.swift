@testable import ViTCore

/// An 8x8-image ViT small enough for finite differences: patch 4 (4 patches), width 8,
/// 2 blocks, MLP 12, 3 classes; callers change what their test is about.
func tinyModelConfig(heads: Int = 2, mlpDim: Int = 12, pool: ModelConfig.Pool = .cls,
                     distillationToken: Bool = false) -> ModelConfig {
    var config = ModelConfig()
    config.imageSize = 8
    config.patchSize = 4
    config.dim = 8
    config.depth = 2
    config.heads = heads
    config.mlpDim = mlpDim
    config.numClasses = 3
    config.pool = pool
    config.distillationToken = distillationToken
    return config
}

/// The tiny model with CCT's pieces: a two-layer conv tokenizer (3 -> 4 -> 8 channels, 8x8 -> 2x2
/// = 4 tokens) and sequence pooling.
func tinyConvModelConfig(pool: ModelConfig.Pool = .seq) -> ModelConfig {
    var config = tinyModelConfig(pool: pool)
    config.tokenizer = .conv
    config.convLayers = 2
    config.convChannels = 4
    return config
}
