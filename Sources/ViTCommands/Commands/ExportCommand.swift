import ArgumentParser
import Foundation
import ViTCore
import ViTStore

public struct ExportCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "vit-export",
        abstract: "Write a vitc checkpoint as an ONNX model (opset 17) for ONNX Runtime and other runtimes.",
        discussion: """
            Input "images" [N, 3, 32, 32] float32, already normalised with the checkpoint's mean and std \
            (recorded in the model's metadata); output "logits" [N, 10]; N is dynamic. Float checkpoints of \
            every architecture export as float graphs; int8 checkpoints export in QDQ form (int8 weights with \
            their per-channel scales, activations through QuantizeLinear/DequantizeLinear with the calibrated \
            scales, or DynamicQuantizeLinear for dynamic files). See FORMAT.md, "ONNX export".
            """)

    @Argument(help: "The checkpoint (.h5).") var checkpoint: String
    @Option(help: "Output ONNX file (.onnx).") var out: String

    public func run() throws {
        try OutputFile.prepare(out, inputs: [checkpoint])
        let loaded = try LoadedModel(path: checkpoint)
        let proto = ONNXExport.makeModel(loaded.model, metadata: try Self.metadata(of: loaded))
        let bytes: Data = try proto.serializedBytes()
        do {
            try bytes.write(to: URL(fileURLWithPath: out), options: .atomic)  // a temporary file, then rename
        } catch {
            throw ConfigError(message: "cannot write \(out): \(error.localizedDescription)")
        }
        let graph = proto.graph
        let int8 = graph.initializer.filter { $0.dataType == Int32(Onnx_TensorProto.DataType.int8.rawValue) }.count
        print("wrote \(out): stage \(loaded.stage.rawValue), \(graph.node.count) nodes, \(graph.initializer.count) initializers"
              + (int8 > 0 ? " (\(int8) int8)" : "") + ", \(bytes.count) bytes, opset \(ONNXExport.opsetVersion)")
        let config = loaded.model.config
        print("input \(ONNXExport.inputName) [N, \(config.channels), \(config.imageSize), \(config.imageSize)] normalised "
              + "with mean \(config.mean), std \(config.std); output \(ONNXExport.outputName) [N, \(config.numClasses)]")
    }

    /// metadata_props: what a user of the .onnx file needs to feed it and to trace it to its checkpoint.
    static func metadata(of loaded: LoadedModel) throws -> [(key: String, value: String)] {
        let config = loaded.model.config
        func list(_ values: [Float]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        return [
            ("mean", list(config.mean)),
            ("std", list(config.std)),
            ("vitc_stage", loaded.stage.rawValue),
            ("vitc_source", (loaded.path as NSString).lastPathComponent),
            ("vitc_source_sha256", try Checkpoint.sha256(ofFile: loaded.path)),
            ("vitc_config", try loaded.checkpoint.string("config", file: loaded.path)),
        ]
    }
}
