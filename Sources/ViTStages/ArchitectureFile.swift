import Foundation
import ViTCore

/// vit-import's --config: a JSON object naming the architecture, either in vitc's keys (a
/// checkpoint's `config` attribute, whose stage sections are skipped) or in the arguments of
/// timm's `VisionTransformer` (embed_dim, num_heads, mlp_ratio, global_pool, ...), or in timm's
/// Hub `config.json`, which nests those arguments in `model_args` and the normalisation in
/// `pretrained_cfg`. Keys not given keep the base config's values; unknown keys are refused.
public enum ArchitectureFile {
    /// Objects a vitc checkpoint's config holds beside the architecture: they describe how it was made.
    static let stageSections: Set<String> = ["training", "distillation", "pruning", "quantization", "compute",
                                             "pretraining", "import"]
    /// Descriptive keys of timm's Hub config.json that say nothing vitc needs.
    static let descriptiveKeys: Set<String> = ["architecture", "num_features", "label_names", "label_descriptions"]
    /// vitc's key and timm's for one setting: a file gives one of them.
    static let aliases = [("image_size", "img_size"), ("channels", "in_chans"), ("dim", "embed_dim"),
                          ("heads", "num_heads"), ("mlp_dim", "mlp_ratio"), ("pool", "global_pool"),
                          ("dropout", "drop_rate"), ("drop_path", "drop_path_rate")]

    public static func config(at path: String, base: ModelConfig) throws -> ModelConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(message: "\(path): cannot read the config file")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConfigError(message: "\(path): not a JSON object")
        }
        return try config(object: object, base: base, file: path)
    }

    static func config(object: [String: Any], base: ModelConfig, file: String) throws -> ModelConfig {
        func fail(_ message: String) -> ConfigError { ConfigError(message: "\(file): \(message)") }
        var keys = object
        if let arguments = keys.removeValue(forKey: "model_args") {
            guard let arguments = arguments as? [String: Any] else { throw fail("model_args must be an object") }
            for (key, value) in arguments {
                if keys[key] != nil { throw fail("\(key) is given both in model_args and at the top level") }
                keys[key] = value
            }
        }
        if let pretrained = keys.removeValue(forKey: "pretrained_cfg") {
            guard let pretrained = pretrained as? [String: Any] else { throw fail("pretrained_cfg must be an object") }
            for key in ["mean", "std"] where keys[key] == nil { keys[key] = pretrained[key] }
        }
        for key in descriptiveKeys { keys[key] = nil }
        for key in stageSections where keys[key] is [String: Any] { keys[key] = nil }
        for (vitc, timm) in aliases where keys[vitc] != nil && keys[timm] != nil {
            throw fail("give \(vitc) or timm's \(timm), not both")
        }

        func take<T>(_ key: String, _ type: String, _ convert: (Any) -> T?) throws -> T? {
            guard let value = keys.removeValue(forKey: key), !(value is NSNull) else { return nil }
            guard let converted = convert(value) else { throw fail("\(key) must be \(type), got \(value)") }
            return converted
        }
        func int(_ key: String) throws -> Int? { try take(key, "an integer") { $0 as? Int } }
        func float(_ key: String) throws -> Float? { try take(key, "a number") { ($0 as? Double).map(Float.init) } }
        func bool(_ key: String) throws -> Bool? { try take(key, "true or false") { $0 as? Bool } }
        func ints(_ key: String) throws -> [Int]? { try take(key, "a list of integers") { $0 as? [Int] } }
        func floats(_ key: String) throws -> [Float]? {
            try take(key, "a list of numbers") { ($0 as? [Double])?.map(Float.init) }
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
            guard let name = try take(key, "a string", { $0 as? String }) else { return nil }
            guard let value = T(rawValue: name) else {
                throw fail("unknown \(key) '\(name)' (expected \(T.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return value
        }
        // timm takes a size as an integer or an (h, w) pair; vitc's images are square.
        func side(_ key: String) throws -> Int? {
            try take(key, "an integer or a square [h, w]") { value in
                if let side = value as? Int { return side }
                if let pair = value as? [Int], pair.count == 2, pair[0] == pair[1] { return pair[0] }
                return nil
            }
        }

        var config = base
        if let value = try side("image_size") ?? side("img_size") { config.imageSize = value }
        if let value = try int("channels") ?? int("in_chans") { config.channels = value }
        if let value = try choice("tokenizer", ModelConfig.Tokenizer.self) { config.tokenizer = value }
        if let value = try side("patch_size") { config.patchSize = value }
        if let value = try int("conv_layers") { config.convLayers = value }
        if let value = try int("conv_channels") { config.convChannels = value }
        if let value = try int("dim") ?? int("embed_dim") { config.dim = value }
        if let value = try int("depth") { config.depth = value }
        if let value = try int("heads") ?? int("num_heads") { config.heads = value }
        if let value = try int("mlp_dim") { config.mlpDim = value }
        // timm: hidden width int(dim * mlp_ratio).
        if let ratio = try float("mlp_ratio") { config.mlpDim = Int(Double(config.dim) * Double(ratio)) }
        if let value = try int("num_classes") { config.numClasses = value }
        if let value = try choice("pool", ModelConfig.Pool.self) { config.pool = value }
        if let pooling = try take("global_pool", "a string", { $0 as? String }) {
            switch pooling {
            case "token": config.pool = .cls
            case "avg": config.pool = .mean
            default: throw fail("global_pool '\(pooling)' has no vitc counterpart (token or avg)")
            }
        }
        if let classToken = try bool("class_token"), classToken != (config.pool == .cls) {
            throw fail("class_token \(classToken) contradicts pooling \(config.pool.rawValue): vitc has a class token "
                       + "exactly with cls pooling (timm's global_pool 'token')")
        }
        if try bool("fc_norm") == true {
            throw fail("fc_norm true (a norm after pooling) has no vitc counterpart: vitc normalises before pooling")
        }
        if try bool("qkv_bias") == false { throw fail("qkv_bias false has no vitc counterpart: vitc's qkv has a bias") }
        if let value = try choice("norm", ModelConfig.Norm.self) { config.norm = value }
        if let value = try float("dropout") ?? float("drop_rate") { config.dropout = value }
        if let value = try float("drop_path") ?? float("drop_path_rate") { config.dropPath = value }
        if let value = try bool("distillation_token") { config.distillationToken = value }
        if keys["block_heads"] != nil { config.blockHeads = try ints("block_heads") }
        if keys["block_mlp_dims"] != nil { config.blockMlpDims = try ints("block_mlp_dims") }
        if let value = try floats("mean") { config.mean = value }
        if let value = try floats("std") { config.std = value }
        if !keys.isEmpty {
            throw fail("unknown keys \(keys.keys.sorted().joined(separator: ", ")) (see vit-import --help)")
        }
        return config
    }
}
