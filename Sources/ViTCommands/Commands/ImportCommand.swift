import ArgumentParser
import Foundation
import ViTCore
import ViTStages
import ViTStore

public struct ImportCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-import",
        abstract: "Turn a timm ViT's state_dict saved as safetensors into a vitc checkpoint (stage imported).",
        discussion: """
            Input: a safetensors file of a PyTorch state_dict (safetensors.torch.save_file(model.state_dict(), ...)) \
            under timm's VisionTransformer names (patch_embed.proj.weight, cls_token, pos_embed, blocks.0.attn.qkv.weight, \
            ..., norm.weight, head.weight), or vitc's own names for its conv tokenizer and sequence pooling. Tensors may \
            be F32, F16, BF16 or F64; all become float32. Every parameter of the architecture must be present with \
            exactly its shape, and nothing else (BatchNorm's num_batches_tracked is dropped).

            The architecture comes from the model flags (--preset, --dim, --depth, ...), or from --config FILE.json \
            with the flags applied on top: a vitc config (the config attribute of a checkpoint) or timm's \
            VisionTransformer arguments: img_size, in_chans, patch_size, embed_dim, depth, num_heads, mlp_ratio, \
            num_classes, global_pool (token or avg), class_token, fc_norm (false), qkv_bias (true), drop_rate, \
            drop_path_rate, mean, std; timm's Hub config.json (model_args, pretrained_cfg) works too. Keys not given \
            keep the values of the preset (--preset, default teacher). vitc's stages run on CIFAR-10: 32x32 images, 3 channels, 10 classes.

            The model expects inputs normalised with the config's mean and std (CIFAR-10's unless --mean/--std or \
            the config say otherwise); they are stored in the checkpoint for every later stage.
            """)

    @Argument(help: "The safetensors file of the state_dict.") var source: String
    @Option(help: "Output checkpoint (.h5).") var out: String
    @Option(help: "Architecture as JSON: a vitc config or timm's VisionTransformer arguments (model flags override it).")
    var config: String?
    @OptionGroup var model: ModelOptions
    @Option(help: "Per-channel input mean the model was trained with, comma-separated (default: the config's, else CIFAR-10's).")
    var mean: String?
    @Option(help: "Per-channel input standard deviation, comma-separated (default: the config's, else CIFAR-10's).")
    var std: String?

    public func run() throws {
        try OutputFile.prepare(out, inputs: [source] + (config.map { [$0] } ?? []))
        let architecture = try makeArchitecture()
        let state = try SafeTensors.read(from: source, skipping: Checkpoint.isIgnoredOnImport)
        let name = (source as NSString).lastPathComponent
        let record = Checkpoint.ImportSource(source: name, sourceSHA256: try Checkpoint.sha256(ofFile: source))
        let file = try Checkpoint(importing: state, config: architecture, source: record, command: CommandLine.arguments,
                                  file: source)
        printSettings(try ModelRecord(checkpoint: file, file: out))
        let model = try file.makeModel(file: source)  // as vit-eval and the other stages will load it
        try file.save(to: out)
        let dtypes = Set(state.storedTypes.values.map(\.rawValue)).sorted().joined(separator: ", ")
        let ignored = state.skipped.count + state.tensors.count - file.weights.count
        print("wrote \(out): stage imported, \(model.parameterCount) parameters from \(file.weights.count) tensors "
              + "(\(dtypes))" + (ignored > 0 ? ", \(ignored) num_batches_tracked dropped" : ""))
        print("inputs are normalised with mean \(architecture.mean), std \(architecture.std)")
    }

    func makeArchitecture() throws -> ModelConfig {
        var base = try model.presetConfig()
        if let config { base = try ArchitectureFile.config(at: config, base: base) }
        var architecture = try model.config(base: base)
        if let mean { architecture.mean = try Self.channelValues(mean, flag: "--mean") }
        if let std { architecture.std = try Self.channelValues(std, flag: "--std") }
        try architecture.validate()
        guard architecture.imageSize == 32, architecture.channels == 3, architecture.numClasses == 10 else {
            throw ConfigError(message: "image size \(architecture.imageSize), \(architecture.channels) channels and "
                              + "\(architecture.numClasses) classes: vitc's stages need 32, 3 and 10 (CIFAR-10)")
        }
        return architecture
    }

    static func channelValues(_ text: String, flag: String) throws -> [Float] {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else {
            throw ConfigError(message: "\(flag) \(text): expected comma-separated numbers, e.g. 0.5,0.5,0.5")
        }
        return values.map { $0! }
    }
}
