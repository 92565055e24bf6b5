public import Foundation
public import Hummingbird

/// JSON as the API writes it: snake_case keys, sorted, one line (an SSE `data:` field must not
/// span lines), no escaped slashes.
public enum WebJSON {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .throw
        return e
    }()

    /// The same, indented, for people (`dcagent events list --json`).
    public static let prettyEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        e.nonConformingFloatEncodingStrategy = .throw
        return e
    }()

    /// A JSON response; an encoding failure is thrown as a 500 that the error middleware logs.
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws(APIError) -> Response {
        let data: Data
        do { data = try encoder.encode(value) } catch {
            throw APIError(.internalServerError, code: "internal", message: "cannot encode the response: \(error)")
        }
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// One line of JSON text.
    public static func line(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// An optional that is written as `null` when absent, not left out: every key of a resource
/// is always there, so a client tells "no value" from "old server".
@propertyWrapper
public struct Nullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = wrappedValue { try c.encode(v) } else { try c.encodeNil() }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
    }
}
