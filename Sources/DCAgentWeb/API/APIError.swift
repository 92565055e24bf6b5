public import HTTPTypes
public import Hummingbird
import Foundation
import Logging

/// An API error as DESIGN decision 16 shapes it: `{"error": {"code", "message", "field"}}`.
/// `field` names the parameter or header at fault, or is null.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable code: `bad_parameter`, `not_found`, `method_not_allowed`,
    /// `internal`.
    public var code: String
    public var message: String
    public var field: String?
    /// Extra headers (`Allow` on a 405).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// A parameter refused: 400 naming it.
    public static func badParameter(_ field: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "bad_parameter", message: message, field: field)
    }

    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }

    /// The body, as sent.
    struct Body: Codable, Equatable {
        struct Inner: Codable, Equatable {
            var code: String
            var message: String
            @Nullable var field: String?
        }
        var error: Inner
    }

    func response() -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        // Encoding four strings cannot fail; if it ever did, the status still tells.
        let data = (try? WebJSON.encoder.encode(Body(error: .init(code: code, message: message, field: field)))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every failure into the API's error shape: handlers' ``APIError``s as they are,
/// Hummingbird's own (no route) as `not_found`, anything else as a logged `internal` 500 — never
/// a silent empty body.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            if e.status.code >= 500 { logger.error("\(request.method) \(request.uri.path): \(e.message)") }
            return e.response()
        } catch let e as HTTPError where e.status == .notFound {
            return APIError.notFound("no such resource: \(request.method) \(request.uri.path)").response()
        } catch let e as HTTPError {
            return APIError(e.status, code: e.status.code >= 500 ? "internal" : "bad_request", message: e.body ?? e.status.reasonPhrase).response()
        } catch {
            logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            return APIError(.internalServerError, code: "internal", message: "internal error; the agent's log has the cause").response()
        }
    }
}
