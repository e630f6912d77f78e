import Foundation
import ViTCore
import ViTStore

/// `vit-train --init`: the encoder weights of a pre-trained file copied into a new model.
public enum PretrainedEncoder {
    /// Copies every weight of `path` but the heads and decoder.* into `model`'s encoder (BatchNorm's
    /// running statistics included: they belong to the encoder's weights); the
    /// architectures must match exactly (a difference is a one-line error naming it). Returns the file's SHA-256.
    @discardableResult
    public static func copy(from path: String, into model: VisionTransformer) throws -> String {
        let file = try Checkpoint.load(from: path)
        try checkArchitecture(try file.modelConfig(file: path), against: model.config, file: path)
        let copied = file.weights.filter { !VisionTransformer.isHeadParameter($0.key) && !$0.key.hasPrefix("decoder.") }
        let encoder = model.encoderParameters + model.buffers
        let known = Set(encoder.map(\.name))
        for name in copied.keys.sorted() where model.byName[name] == nil && !known.contains(name) {
            throw ConfigError(message: "\(path): unexpected weight \(slashed(name)) (not part of the model's encoder)")
        }
        for parameter in encoder {
            guard let stored = copied[parameter.name] else {
                throw ConfigError(message: "\(path): missing weight \(slashed(parameter.name)) for the model's encoder")
            }
            guard stored.shape == parameter.shape else {
                throw ConfigError(message: "\(path): weight \(slashed(parameter.name)) has shape \(stored.shape), "
                                      + "the model expects \(parameter.shape)")
            }
            guard let tensor = stored.tensor else {
                throw ConfigError(message: "\(path): weight \(slashed(parameter.name)) is \(stored.elementType), expected float32")
            }
            parameter.value = tensor
        }
        return try Checkpoint.sha256(ofFile: path)
    }

    /// Shapes alone miss some differences (4 or 8 heads share every weight shape), so the
    /// architecture fields are compared first; the class count and dropout may differ.
    static func checkArchitecture(_ pretrained: ModelConfig, against model: ModelConfig, file: String) throws {
        let fields: [(String, String, String)] = [
            ("image_size", "\(pretrained.imageSize)", "\(model.imageSize)"),
            ("channels", "\(pretrained.channels)", "\(model.channels)"),
            ("patch_size", "\(pretrained.patchSize)", "\(model.patchSize)"),
            ("dim", "\(pretrained.dim)", "\(model.dim)"),
            ("depth", "\(pretrained.depth)", "\(model.depth)"),
            ("heads", "\(pretrained.heads)", "\(model.heads)"),
            ("mlp_dim", "\(pretrained.mlpDim)", "\(model.mlpDim)"),
            ("pool", pretrained.pool.rawValue, model.pool.rawValue),
            ("norm", pretrained.norm.rawValue, model.norm.rawValue),
            ("distillation_token", "\(pretrained.distillationToken)", "\(model.distillationToken)"),
            ("block_heads", "\(pretrained.blockHeads.map { "\($0)" } ?? "none")", "\(model.blockHeads.map { "\($0)" } ?? "none")"),
            ("block_mlp_dims", "\(pretrained.blockMlpDims.map { "\($0)" } ?? "none")", "\(model.blockMlpDims.map { "\($0)" } ?? "none")"),
            ("mean", "\(pretrained.mean)", "\(model.mean)"),
            ("std", "\(pretrained.std)", "\(model.std)"),
        ]
        for (name, stored, wanted) in fields where stored != wanted {
            throw ConfigError(message: "\(file): pre-trained with \(name) \(stored), but the model has \(wanted) "
                                  + "(the architecture flags must match the file's)")
        }
    }

    private static func slashed(_ name: String) -> String {
        "/weights/" + name.replacingOccurrences(of: ".", with: "/")
    }
}
