import ArgumentParser

public struct DistillCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "vit-distill", abstract: "Not implemented yet.")

    public func run() throws {
        throw ValidationError("vit-distill is not implemented yet")
    }
}
