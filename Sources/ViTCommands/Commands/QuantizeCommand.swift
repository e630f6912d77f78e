import ArgumentParser

public struct QuantizeCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "vit-quantize", abstract: "Not implemented yet.")

    public func run() throws {
        throw ValidationError("vit-quantize is not implemented yet")
    }
}
