import Foundation

/// A problem with the data on disk or with a data option, described in one line that names
/// the file (or the value) and what was expected, so a command can print it and stop.
public struct DataError: Error, CustomStringConvertible, LocalizedError, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }

    // Foundation prints this one when the error escapes to the top of a command.
    public var errorDescription: String? { description }
}
