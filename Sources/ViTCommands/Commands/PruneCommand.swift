import ArgumentParser

public struct PruneCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "vit-prune", abstract: "Not implemented yet.")

    public func run() throws {
        throw ValidationError("vit-prune is not implemented yet")
    }
}
