import ViTCore
import Foundation

public enum OutputFile {
    /// Refuses to write over an input and creates the output's folder.
    public static func prepare(_ output: String, inputs: [String]) throws {
        let target = URL(fileURLWithPath: output).standardizedFileURL.path
        for input in inputs where URL(fileURLWithPath: input).standardizedFileURL.path == target {
            throw ConfigError(message: "refusing to overwrite the input \(input): choose another --out")
        }
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
}
