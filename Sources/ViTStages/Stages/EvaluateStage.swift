import Foundation
import ViTCore
import ViTStore

/// What `evaluateCheckpoint` needs: the file, the test images, the batch size, and maybe a copy to write.
public struct EvaluateSettings {
    public var checkpoint: String
    public var data: DataSource
    public var batchSize = 256
    /// Also write a copy of the checkpoint holding this evaluation and no optimizer state.
    public var copy: String?

    public init(checkpoint: String, data: DataSource) {
        self.checkpoint = checkpoint
        self.data = data
    }
}

/// A checkpoint's accuracy on the test set, with the model and settings it was measured with.
public struct CheckpointEvaluation {
    public var loaded: LoadedModel
    public var result: EvaluationResult
    public var compute: ComputeSettings
}

/// Evaluates a checkpoint on the balanced test set (vit-eval); `compute` is resolved before
/// anything is read, so that a refused precision costs nothing.
public func evaluateCheckpoint(_ settings: EvaluateSettings, compute: ComputeSettings) throws -> CheckpointEvaluation {
    let loaded = try LoadedModel(path: settings.checkpoint)
    let test = try settings.data.loadTest()
    if let copy = settings.copy { try OutputFile.prepare(copy, inputs: [settings.checkpoint]) }
    let result = try evaluate(loaded.model, on: test, batchSize: settings.batchSize, precision: compute.precision)
    if let path = settings.copy {
        var copy = loaded.checkpoint
        copy.optimizer = [:]
        let counts = copy.eval["class_counts"]?.int64s?.map { Int($0) } ?? []
        copy.storeEvaluation(result, model: loaded.model, classCounts: counts)
        try copy.save(to: path)
    }
    return CheckpointEvaluation(loaded: loaded, result: result, compute: compute)
}
