import Foundation
import ViTCore
import ViTStore

/// A checkpoint file opened as a runnable model, with what the reports need about the file.
public struct LoadedModel {
    public var path: String
    public var checkpoint: Checkpoint
    public var model: VisionTransformer
    public var bytesOnDisk: Int

    public init(path: String) throws {
        self.path = path
        checkpoint = try Checkpoint.load(from: path)
        model = try checkpoint.makeModel(file: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        bytesOnDisk = (attributes[.size] as? NSNumber)?.intValue ?? 0
        stage = try checkpoint.stage(file: path)
    }

    public var stage: Stage

    /// How this model's products run at inference: "int8" for quantized files, else "f32".
    public var inferencePrecisionName: String { stage.isQuantized ? "int8" : "f32" }
}
