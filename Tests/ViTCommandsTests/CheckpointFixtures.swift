import Foundation
import ViTCore
import ViTStore

/// An untrained float checkpoint written as vit-train would (stage teacher, a "training" section),
/// for commands that start from a file. dim 32 with 4 heads of width 8, 2 blocks, MLP 64, patch 8.
func makeParentCheckpoint(at path: String, imbalanceRatio: Double = 1, seed: UInt64 = 5,
                          configure: (inout ModelConfig) -> Void = { _ in },
                          edit: (inout Checkpoint) -> Void = { _ in }) throws {
    var config = ModelConfig.student
    config.dim = 32
    config.depth = 2
    config.heads = 4
    config.mlpDim = 64
    config.patchSize = 8
    configure(&config)
    var training = TrainingConfig()
    training.imbalanceRatio = imbalanceRatio
    training.seed = seed
    let model = try VisionTransformer(config: config, seed: seed)
    var record = ModelRecord(stage: .teacher, model: config, seed: seed)
    record.training = training
    var file = Checkpoint(model: model, record: record, command: ["vit-train"])
    edit(&file)
    try file.save(to: path)
}
