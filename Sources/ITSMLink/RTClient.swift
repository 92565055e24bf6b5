public import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOHTTP1

/// How the adapter logs in to RT. The secret is passed in (read by the caller from a file or
/// the environment) and appears in no description, log line or error.
public enum RTAuth: Sendable, CustomStringConvertible {
    /// HTTP basic auth with an RT user's password.
    case basic(user: String, password: String)
    /// An RT auth token (`Authorization: token …`), made in RT under Settings → Auth Tokens.
    case token(String)

    var headerValue: String {
        switch self {
        case .basic(let user, let password): "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        case .token(let token): "token " + token
        }
    }

    public var description: String {
        switch self {
        case .basic(let user, _): "basic(user: \(user), password: <redacted>)"
        case .token: "token(<redacted>)"
        }
    }
}

/// A ticket as RT reports it.
public struct RTTicket: Sendable, Equatable {
    public var id: Int
    public var status: String
    public var subject: String
    /// The queue's id (REST2 names queues by id in a ticket).
    public var queueID: String?
    /// Custom field values by field name.
    public var customFields: [String: [String]]
    /// Links to other tickets by REST2's relation name (`child`, `parent`, `refers-to`,
    /// `referred-to-by`, `depends-on`, `depended-on-by`), ticket ids.
    public var links: [String: [Int]] = [:]

    /// The first value of a custom field, nil when it has none.
    public func customField(_ name: String) -> String? { customFields[name]?.first }
}

/// Request Tracker 5 over its REST2 API (`/REST/2.0/`): create a ticket with custom fields,
/// find it again by the opening it belongs to (DESIGN decision 15: dedup key and first-seen
/// time, in the custom fields `DCAgent-DedupKey` and `DCAgent-FirstSeen`), comment,
/// correspond, set its status, read it. Every failure is an ``RTError`` classified for the
/// dispatcher. See docs/itsm.md.
public struct RTClient: Sendable {
    /// The custom fields the adapter writes (they must exist in RT and apply to the queue).
    public enum Field {
        public static let dedupKey = "DCAgent-DedupKey"
        public static let firstSeen = "DCAgent-FirstSeen"
        public static let ci = "DCAgent-CI"
        public static let severity = "DCAgent-Severity"
    }

    /// RT's web root: `$WebBaseURL` followed by `$WebPath` (`https://rt.example/rt`).
    public let baseURL: String
    let auth: RTAuth
    let http: HTTPClient
    let timeout: Duration
    let logger: Logger
    /// The largest answer read (a search or ticket is a few kB).
    static let maxBody = 4 << 20

    /// - Parameters:
    ///   - baseURL: RT's web root, without `/REST/2.0`.
    ///   - timeout: the bound on one request, connect to last byte.
    public init(
        baseURL: String, auth: RTAuth, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(15),
        logger: Logger = Logger(label: "dcagent.itsm.rt")
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.auth = auth
        self.http = httpClient
        self.timeout = timeout
        self.logger = logger
    }

    // MARK: Tickets

    /// Creates a ticket in `queue` with a plain-text first message and custom field values;
    /// returns its id. Reads the ticket back and throws ``RTError/rejected(status:reason:)``
    /// when a custom field was not stored (RT ignores a field that does not apply to the
    /// queue, or that the user may not set, and still answers 201): without them the ticket
    /// could never be found again.
    public func createTicket(
        queue: String, subject: String, body: String, customFields: [String: String]
    ) async throws(RTError) -> Int {
        let payload: [String: Any] = [
            "Queue": queue, "Subject": subject, "Content": body, "ContentType": "text/plain",
            "CustomFields": customFields,
        ]
        let (status, json) = try await send(.POST, "/ticket", body: payload)
        guard status == 201 else { throw Self.failure(status, json) }
        guard let object = json as? [String: Any], let id = Self.int(object["id"]) else {
            throw .malformed(status: status, reason: "create answered without a ticket id")
        }
        let ticket = try await ticket(id)
        let missing = customFields.filter { name, value in
            !(ticket.customFields[name] ?? []).contains { Self.same($0, value) }
        }.keys.sorted()
        guard missing.isEmpty else {
            logger.error("rt ticket created without custom fields", metadata: ["ticket": "\(id)", "fields": "\(missing)"])
            throw .rejected(
                status: status,
                reason: "ticket \(id) created without custom field(s) \(missing.joined(separator: ", ")) "
                    + "(applied to queue \(queue)? may the user set them?)")
        }
        logger.info("rt ticket created", metadata: ["ticket": "\(id)", "queue": "\(queue)"])
        return id
    }

    /// The ticket that belongs to the opening (dedup key, first-seen), nil when none: a
    /// TicketSQL search on the two custom fields. RT compares custom field values without
    /// regard to case, so the values RT returns with each hit are compared exactly here. RT
    /// leaves out tickets whose status is `deleted`. When several match (made by hand, or a
    /// race), the oldest (lowest id) wins.
    public func findTicket(dedupKey: String, firstSeen: Date) async throws(RTError) -> Int? {
        let seen = Self.firstSeenValue(firstSeen)
        let query = Self.ticketSQL(dedupKey: dedupKey, firstSeen: seen)
        let (status, json) = try await send(
            .GET, "/tickets",
            query: [("query", query), ("fields", "CustomFields"), ("orderby", "id"), ("order", "ASC"), ("per_page", "50")])
        guard status == 200 else { throw Self.failure(status, json) }
        guard let object = json as? [String: Any], let items = object["items"] as? [Any] else {
            throw .malformed(status: status, reason: "search answered without items")
        }
        var ids: [Int] = []
        for case let item as [String: Any] in items {
            guard let id = Self.int(item["id"]) else { throw .malformed(status: status, reason: "search item without an id") }
            let fields = Self.customFields(item["CustomFields"])
            let exact =
                (fields[Field.dedupKey] ?? []).contains { Self.same($0, dedupKey) }
                && (fields[Field.firstSeen] ?? []).contains { Self.same($0, seen) }
            if exact { ids.append(id) }
        }
        if ids.count > 1 {
            logger.warning("rt: several tickets for one opening", metadata: ["tickets": "\(ids)", "dedup_key": "\(dedupKey)"])
        }
        return ids.min()
    }

    /// Adds a private comment (not mailed to requestors).
    public func comment(ticket id: Int, text: String) async throws(RTError) {
        try await message(ticket: id, kind: "comment", text: text)
    }

    /// Adds a reply (mailed to requestors and watchers as RT's scrips say). RT reopens a
    /// `deleted` or `resolved` ticket that receives a reply.
    public func correspond(ticket id: Int, text: String) async throws(RTError) {
        try await message(ticket: id, kind: "correspond", text: text)
    }

    /// Sets the ticket's status (`resolved`, `open`, …). Setting the status it already has
    /// succeeds. RT answers 200 even when it refuses a status, so the ticket is read back.
    public func setStatus(ticket id: Int, _ newStatus: String) async throws(RTError) {
        let (status, json) = try await send(.PUT, "/ticket/\(id)", body: ["Status": newStatus])
        guard status == 200 else { throw Self.failure(status, json) }
        let messages = (json as? [Any])?.compactMap { $0 as? String } ?? []
        let now = try await ticket(id)
        guard now.status == newStatus else {
            throw .rejected(
                status: status,
                reason: messages.first.map { String($0.prefix(200)) } ?? "status stayed \(now.status), not \(newStatus)")
        }
        logger.info("rt ticket status", metadata: ["ticket": "\(id)", "status": "\(newStatus)"])
    }

    /// The ticket's status, subject, queue and custom fields.
    public func ticket(_ id: Int) async throws(RTError) -> RTTicket {
        let (status, json) = try await send(.GET, "/ticket/\(id)")
        guard status == 200 else { throw Self.failure(status, json) }
        guard let object = json as? [String: Any], let gotID = Self.int(object["id"]),
            let ticketStatus = object["Status"] as? String
        else { throw .malformed(status: status, reason: "ticket without id or Status") }
        return RTTicket(
            id: gotID, status: ticketStatus, subject: object["Subject"] as? String ?? "",
            queueID: ((object["Queue"] as? [String: Any])?["id"]).flatMap { Self.int($0).map(String.init) ?? $0 as? String },
            customFields: Self.customFields(object["CustomFields"]), links: Self.links(object["_hyperlinks"]))
    }

    /// REST2's `_hyperlinks` entries of type `ticket` by their `ref`.
    static func links(_ value: Any?) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for case let l as [String: Any] in (value as? [Any]) ?? [] where (l["type"] as? String) == "ticket" {
            guard let ref = l["ref"] as? String, ref != "self", let id = int(l["id"]) else { continue }
            out[ref, default: []].append(id)
        }
        return out
    }

    /// The relations the adapter makes between tickets (REST2's `Add<Relation>` keys).
    public enum LinkType: String, Sendable {
        /// The tickets are members (children) of this one: a problem's incidents.
        case hasMember = "Members"
        /// This ticket refers to them: a change to its incident and problem.
        case refersTo = "RefersTo"
    }

    /// Adds links from a ticket to others (RT's `AddLink`; a link that exists is kept, not
    /// doubled). The ticket is read back: a link RT did not make is an error.
    public func addLinks(ticket id: Int, _ type: LinkType, _ others: [Int]) async throws(RTError) {
        guard !others.isEmpty else { return }
        let (status, json) = try await send(.PUT, "/ticket/\(id)", body: ["Add\(type.rawValue)": others.map(String.init)])
        guard status == 200 else { throw Self.failure(status, json) }
        let now = try await ticket(id)
        let ref = type == .hasMember ? "child" : "refers-to"
        let missing = others.filter { !(now.links[ref] ?? []).contains($0) }
        guard missing.isEmpty else {
            let messages = (json as? [Any])?.compactMap { $0 as? String } ?? []
            throw .rejected(status: status, reason: "RT did not link ticket \(id) to \(missing) (\(type.rawValue)): \(messages.joined(separator: "; ").prefix(200))")
        }
        logger.info("rt ticket links", metadata: ["ticket": "\(id)", "type": "\(type.rawValue)", "to": "\(others)"])
    }

    // MARK: TicketSQL

    /// `CF.{DCAgent-DedupKey} = '…' AND CF.{DCAgent-FirstSeen} = '…'`, values quoted.
    public static func ticketSQL(dedupKey: String, firstSeen: String) -> String {
        "CF.{\(Field.dedupKey)} = \(quote(dedupKey)) AND CF.{\(Field.firstSeen)} = \(quote(firstSeen))"
    }

    /// A TicketSQL string literal: single quotes, with `\` and `'` escaped by a backslash
    /// (RT's parser removes one backslash before any character).
    public static func quote(_ value: String) -> String {
        var out = "'"
        for ch in value {
            if ch == "\\" || ch == "'" { out.append("\\") }
            out.append(ch)
        }
        return out + "'"
    }

    /// The first-seen time as stored in `DCAgent-FirstSeen`: ISO 8601 UTC with milliseconds.
    public static func firstSeenValue(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    // MARK: HTTP

    private func message(ticket id: Int, kind: String, text: String) async throws(RTError) {
        let (status, json) = try await send(.POST, "/ticket/\(id)/\(kind)", body: ["Content": text, "ContentType": "text/plain"])
        guard status == 201 else {
            // RT answers 400 "Permission Denied" for a ticket that does not exist.
            if status == 400 || status == 403 {
                _ = try await ticket(id)  // throws notFound when the ticket is gone
            }
            throw Self.failure(status, json)
        }
        logger.debug("rt ticket \(kind)", metadata: ["ticket": "\(id)"])
    }

    /// Sends one request to `/REST/2.0` + `path`; returns the status and the parsed JSON
    /// (nil for an empty body). Throws ``RTError/unreachable(reason:)`` when no answer came
    /// and ``RTError/malformed(status:reason:)`` when the body is not JSON.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [String: Any]? = nil
    ) async throws(RTError) -> (Int, Any?) {
        var url = baseURL + "/REST/2.0" + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: auth.headerValue)
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            let data: Data
            do {
                data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            } catch {
                throw .rejected(status: 0, reason: "request body is not JSON")
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(Array(data))
        }
        let started = ContinuousClock.now
        let status: Int
        let bytes: ByteBuffer
        do {
            let (seconds, attoseconds) = timeout.components
            let response = try await http.execute(
                request, timeout: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: Self.maxBody)
        } catch {
            logger.debug("rt unreachable", metadata: ["method": "\(method)", "path": "\(path)", "error": "\(error)"])
            throw .unreachable(reason: String(String(describing: error).prefix(200)))
        }
        logger.debug(
            "rt request",
            metadata: ["method": "\(method)", "path": "\(path)", "status": "\(status)", "elapsed": "\(ContinuousClock.now - started)"])
        let data = Data(bytes.readableBytesView)
        if data.isEmpty { return (status, nil) }
        do {
            return (status, try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
        } catch {
            if status >= 500 || status == 401 || status == 403 || status == 404 {
                // An error page from a proxy in front of RT: the status still classifies it.
                throw RTError.forStatus(status, reason: "non-JSON answer")
            }
            throw .malformed(status: status, reason: "answer is not JSON: \(String(decoding: data.prefix(80), as: UTF8.self))")
        }
    }

    /// The error for an unexpected status, with RT's `message` as the reason.
    static func failure(_ status: Int, _ json: Any?) -> RTError {
        let message = ((json as? [String: Any])?["message"] as? String).map { String($0.prefix(200)) }
        if (200..<300).contains(status) {
            return .malformed(status: status, reason: message ?? "unexpected status")
        }
        return .forStatus(status, reason: message?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "HTTP \(status)")
    }

    /// An id RT sends as a number or as a string.
    static func int(_ value: Any?) -> Int? {
        switch value {
        case let n as Int: n
        case let s as String: Int(s)
        case let n as NSNumber: n.intValue
        default: nil
        }
    }

    /// REST2's `CustomFields` array (`[{"name", "values": [...]}, …]`) by field name.
    static func customFields(_ value: Any?) -> [String: [String]] {
        var fields: [String: [String]] = [:]
        for case let field as [String: Any] in value as? [Any] ?? [] {
            guard let name = field["name"] as? String else { continue }
            fields[name] = (field["values"] as? [Any] ?? []).compactMap { $0 as? String }
        }
        return fields
    }

    /// Custom field values compare as RT stores them (surrounding whitespace dropped), and
    /// case-sensitively (RT's own `=` on a custom field is not).
    static func same(_ stored: String, _ sent: String) -> Bool {
        stored.trimmingCharacters(in: .whitespacesAndNewlines) == sent.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (so `+` stays a plus).
    static func percentEncode(_ s: String) -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
