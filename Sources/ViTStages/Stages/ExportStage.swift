import Foundation
import ViTCore
import ViTStore

/// Writes a checkpoint as an ONNX model (vit-export): float graphs for float files, QDQ form for int8 ones.
public func exportONNX(checkpoint: String, to out: String) throws {
    try OutputFile.prepare(out, inputs: [checkpoint])
    let loaded = try LoadedModel(path: checkpoint)
    let proto = ONNXExport.makeModel(loaded.model, metadata: try onnxMetadata(of: loaded))
    let bytes: Data = try proto.serializedBytes()
    try OutputFile.write(bytes, to: out)
    let graph = proto.graph
    let int8 = graph.initializer.filter { $0.dataType == Int32(Onnx_TensorProto.DataType.int8.rawValue) }.count
    print("wrote \(out): stage \(loaded.stage.rawValue), \(graph.node.count) nodes, \(graph.initializer.count) initializers"
          + (int8 > 0 ? " (\(int8) int8)" : "") + ", \(bytes.count) bytes, opset \(ONNXExport.opsetVersion)")
    let config = loaded.model.config
    print("input \(ONNXExport.inputName) [N, \(config.channels), \(config.imageSize), \(config.imageSize)] normalised "
          + "with mean \(config.mean), std \(config.std); output \(ONNXExport.outputName) [N, \(config.numClasses)]")
}

/// metadata_props: what a user of the .onnx file needs to feed it and to trace it to its checkpoint.
func onnxMetadata(of loaded: LoadedModel) throws -> [(key: String, value: String)] {
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
