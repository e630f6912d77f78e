import Foundation
import ViTCore

/// A JSON value as the settings files (recipes, plans) hold them, decoded strictly: a number is
/// never a boolean and the reverse, so that each key's kind is checked by the file's reader and
/// reported with the key's name.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case number(Double), string(String), boolean(Bool), null
    case list([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let boolean = try? container.decode(Bool.self) { self = .boolean(boolean) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let string = try? container.decode(String.self) { self = .string(string) }
        else if let list = try? container.decode([JSONValue].self) { self = .list(list) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// The file's top-level object, or one line saying why not.
    static func object(in data: Data, file: String, what: String) throws -> [String: JSONValue] {
        do { return try JSONDecoder().decode([String: JSONValue].self, from: data) } catch {
            throw ConfigError(message: "\(file): not a JSON object of \(what)")
        }
    }

    /// How an error message shows the value.
    var description: String {
        switch self {
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : "\(number)"
        case .string(let string): return "\"\(string)\""
        case .boolean(let boolean): return boolean ? "true" : "false"
        case .null: return "null"
        case .list: return "a list"
        case .object: return "an object"
        }
    }
}

/// One key of a settings file, read as the kind its reader expects; a value of another kind is a
/// one-line error naming the file, the key, what was expected and what was found.
struct SettingsField {
    let file: String, key: String, value: JSONValue

    func fail(_ expected: String) -> ConfigError {
        ConfigError(message: "\(file): '\(key)' must be \(expected), got \(value)")
    }

    func integer() throws -> Int {
        guard case .number(let number) = value, let exact = Int(exactly: number) else { throw fail("a whole number") }
        return exact
    }

    func real() throws -> Double {
        guard case .number(let number) = value else { throw fail("a number") }
        return number
    }

    func text() throws -> String {
        guard case .string(let string) = value else { throw fail("a string") }
        return string
    }

    func boolean() throws -> Bool {
        guard case .boolean(let flag) = value else { throw fail("true or false") }
        return flag
    }

    func texts() throws -> [String] {
        guard case .list(let items) = value, !items.isEmpty else { throw fail("a list of strings") }
        return try items.map { item in
            guard case .string(let text) = item else { throw fail("a list of strings") }
            return text
        }
    }

    func reals() throws -> [Double] {
        guard case .list(let items) = value, !items.isEmpty else { throw fail("a list of numbers") }
        return try items.map { item in
            guard case .number(let number) = item else { throw fail("a list of numbers") }
            return number
        }
    }

    func named<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        guard case .string(let raw) = value, let parsed = T(rawValue: raw) else {
            throw fail("one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }
}
