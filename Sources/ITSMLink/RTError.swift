/// Why a call to Request Tracker failed, classified for the outbox dispatcher (DESIGN
/// decision 15). Each case carries the HTTP status (0 when no response came) and a short
/// reason taken from RT's answer or the transport error; never the credentials.
public enum RTError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No HTTP answer: connection refused, name or route failure, timeout.
    case unreachable(reason: String)
    /// RT answered 5xx.
    case server(status: Int, reason: String)
    /// RT answered 401 or 403: wrong or revoked credentials, or missing rights.
    case credentials(status: Int, reason: String)
    /// The ticket does not exist (404): removed by hand (shredded), or never there.
    case notFound(status: Int, reason: String)
    /// RT refused the request (another 4xx, or a 2xx whose content says it did not do it:
    /// an invalid status, a custom field that was not set). Sending it again will not help.
    case rejected(status: Int, reason: String)
    /// The answer was not the JSON RT2 sends.
    case malformed(status: Int, reason: String)

    /// What the dispatcher does with an action that failed this way.
    public enum Disposition: String, Sendable, Equatable {
        /// Try again after a back-off.
        case retry
        /// Try again later and raise an alert (a person must fix the credentials or rights).
        case retryAndAlert
        /// The ticket is gone: the opening needs a new ticket or to be closed locally.
        case ticketGone
        /// Try again a few times, then give up to the dead letters.
        case retryThenDeadLetter
        /// Give up at once: the dead letters.
        case deadLetter
    }

    public var disposition: Disposition {
        switch self {
        case .unreachable, .server: .retry
        case .credentials: .retryAndAlert
        case .notFound: .ticketGone
        case .malformed: .retryThenDeadLetter
        case .rejected: .deadLetter
        }
    }

    /// The HTTP status, 0 when none came.
    public var status: Int {
        switch self {
        case .unreachable: 0
        case .server(let s, _), .credentials(let s, _), .notFound(let s, _), .rejected(let s, _), .malformed(let s, _): s
        }
    }

    /// The short reason.
    public var reason: String {
        switch self {
        case .unreachable(let r): r
        case .server(_, let r), .credentials(_, let r), .notFound(_, let r), .rejected(_, let r), .malformed(_, let r): r
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let r): "RT unreachable: \(r)"
        case .server(let s, let r): "RT server error \(s): \(r)"
        case .credentials(let s, let r): "RT refused the credentials (\(s)): \(r)"
        case .notFound(let s, let r): "RT ticket not found (\(s)): \(r)"
        case .rejected(let s, let r): "RT rejected the request (\(s)): \(r)"
        case .malformed(let s, let r): "RT answer malformed (\(s)): \(r)"
        }
    }

    /// The class of an HTTP error status with RT's message.
    static func forStatus(_ status: Int, reason: String) -> RTError {
        switch status {
        case 401, 403: .credentials(status: status, reason: reason)
        case 404: .notFound(status: status, reason: reason)
        case 500...: .server(status: status, reason: reason)
        default: .rejected(status: status, reason: reason)
        }
    }
}
