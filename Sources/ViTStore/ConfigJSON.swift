import Foundation
import ViTCore

/// The `config` root attribute: the model's fields at the top level (patch_size, dim, ...,
/// mean, std) and one object per stage's settings ("training", "distillation", ...).
public enum ConfigJSON {
    public static func encode(model: ModelConfig, sections: [String: any Encodable] = [:]) -> String {
        var object = jsonObject(model)
        for (key, value) in sections { object[key] = jsonObject(value) }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// A value as JSON with sorted keys (the form of the attributes that repeat a section).
    public static func sortedJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    public static func decodeModel(_ json: String, file: String) throws -> ModelConfig {
        do {
            return try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        } catch {
            throw StoreError.operationFailed(file: file, action: "cannot read the config attribute",
                                             detail: "not a valid model config (\(shortReason(error)))")
        }
    }

    /// One stage's settings, or nil when the file has none.
    public static func decodeSection<T: Decodable>(_ type: T.Type, key: String, from json: String,
                                                   file: String) throws -> T? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let section = object[key] else { return nil }
        do {
            let data = try JSONSerialization.data(withJSONObject: section)
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw StoreError.operationFailed(file: file, action: "cannot read the \(key) settings",
                                             detail: shortReason(error))
        }
    }

    private static func jsonObject(_ value: any Encodable) -> [String: Any] {
        let data = try! JSONEncoder().encode(value)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    private static func shortReason(_ error: Error) -> String {
        if case DecodingError.keyNotFound(let key, _) = error { return "missing \(key.stringValue)" }
        if case DecodingError.typeMismatch(_, let context) = error {
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        }
        return "malformed JSON"
    }
}
