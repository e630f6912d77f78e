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
