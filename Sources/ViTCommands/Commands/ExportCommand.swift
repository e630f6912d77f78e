import ArgumentParser
import Foundation
import ViTCore
import ViTStages
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
        try exportONNX(checkpoint: checkpoint, to: out)
    }
}
