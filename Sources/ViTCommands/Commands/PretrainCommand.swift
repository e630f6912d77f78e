import ArgumentParser

public struct PretrainCommand: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "vit-pretrain", abstract: "Not implemented yet.")

    public func run() throws {
        throw ValidationError("vit-pretrain is not implemented yet")
    }
}
