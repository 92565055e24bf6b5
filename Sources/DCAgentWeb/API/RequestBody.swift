import Foundation
import HTTPTypes
import Hummingbird

/// Reading a JSON request body: `application/json` only (415 otherwise — which also keeps
/// cross-site HTML forms from posting), at most ``WebContext/maxBody`` bytes (413), and a
/// decoding failure is a 400 naming the field.
enum RequestBody {
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    /// The body decoded, or nil when the request has none (no body, or an empty one).
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request, context: WebContext) async throws -> T? {
        if request.headers[.contentLength] == "0" || (request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil) {
            return nil
        }
        return try await decode(type, from: request, context: context)
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: WebContext) async throws -> T {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/json" else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type", message: "send the body as application/json", field: "Content-Type")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch let e as any HTTPResponseError where e.status == .contentTooLarge {
            throw APIError.tooLarge(limit: context.maxUploadSize)
        }
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let e as DecodingError {
            throw APIError.badBody(e)
        }
    }
}

extension APIError {
    static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than \(limit) bytes")
    }

    /// A 400 naming the field a JSON body got wrong (snake_case, as sent).
    static func badBody(_ error: DecodingError) -> APIError {
        func name(_ path: [any CodingKey]) -> String? {
            let parts = path.map { $0.intValue.map { "[\($0)]" } ?? snake($0.stringValue) }
            return parts.isEmpty ? nil : parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let c):
            let field = name(c.codingPath + [key])
            return APIError(.badRequest, code: "bad_body", message: "\(field ?? "a field") is required", field: field)
        case .typeMismatch(let type, let c):
            let field = name(c.codingPath)
            return APIError(.badRequest, code: "bad_body", message: "\(field ?? "the body") must be \(kind(type))", field: field ?? "body")
        case .valueNotFound(let type, let c):
            let field = name(c.codingPath)
            return APIError(.badRequest, code: "bad_body", message: "\(field ?? "the body") must be \(kind(type)), not null", field: field ?? "body")
        case .dataCorrupted(let c):
            let field = name(c.codingPath)
            let message = field == nil ? "the body is not valid JSON" : "\(field!): \(c.debugDescription)"
            return APIError(.badRequest, code: "bad_body", message: message, field: field ?? "body")
        @unknown default:
            return APIError(.badRequest, code: "bad_body", message: "the body cannot be read", field: "body")
        }
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "an object of the documented shape"
        }
    }

    /// `expiresInDays` → `expires_in_days`.
    static func snake(_ key: String) -> String {
        var out = ""
        for c in key {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
