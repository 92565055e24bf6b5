public import AgentStore
public import ContaminationRules
public import FloorModel
public import Hummingbird
import HTTPTypes
import HummingbirdAuth
public import Logging
public import Telemetry

/// What the routes read: the agent's status and the events. A site agent passes its SQLite store
/// and its running services; the central console (issue 21) will pass its PostgreSQL store.
public struct WebSources: Sendable {
    public var status: any AgentStatusSource
    public var events: any EventReading
    /// A new stream of "something was committed" signals (coalesced); the live endpoints wait
    /// on it instead of polling tables.
    public var commits: @Sendable () -> AsyncStream<Void>
    /// The event stream sends a comment after this long without a change, so proxies keep it open.
    public var keepAliveEvery: Duration = .seconds(15)
    /// Users, logins and tokens; without it, logins answer 503 and nothing can change data.
    public var access: any AccessControl = NoLogins()
    /// Operators' actions on events; without it, they answer 503.
    public var eventActions: any EventActing = NoEventActions()
    /// The built-in tickets; without them, the lists are empty.
    public var tickets: any TicketReading = NoTickets()
    /// Problems and changes with their known errors and approvals; nil: the ticket page shows
    /// no such forms.
    public var followUps: (any FollowUpActing)? = nil
    /// How each opening was followed up (`GET /api/v1/itsm/report`); by default the event
    /// source's own, when it has them (``EventStore`` does), else none.
    public var followUpFigures: any FollowUpReading
    /// How long a login session lasts.
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// True when the server speaks TLS: HSTS is sent.
    public var tls = false
    /// Session cookies carry `Secure` (browsers treat 127.0.0.1 as secure, so this holds on
    /// the loopback default too; off only for plain HTTP on another address).
    public var secureCookies = true
    /// The agent's metrics in the Prometheus text format 0.0.4 (`GET /metrics`); nil: no such route.
    public var metrics: (@Sendable () async -> String)? = nil
    /// The pages' templates and words; nil: no pages (the API only).
    public var pages: PageRenderer? = nil
    /// The sites this agent serves, with their time zones (the pages show times in them).
    public var sites: [WebSite] = []
    /// The pages' language for a reader who has not chosen one (`http.language`).
    public var language: Language = .en
    /// The floors: sites, rooms, racks, devices, sensors.
    public var floors: any FloorReading = NoFloors()
    /// Floor edits through the one fit check; without them, edits answer 503.
    public var floorEdits: any FloorEditing = NoFloorEdits()
    /// Readings and rollups (charts, sparklines, live colours).
    public var samples: any SampleReading = NoSamples()
    /// The audit trail (viewer, CI history).
    public var audit: any AuditReading = NoAudit()
    /// Checklist runs.
    public var checklists: any ChecklistReading = NoChecklists()
    /// Checklist runs started, answered and decided from the pages (the CLI's repository calls).
    public var checklistActions: any ChecklistActing = NoChecklistActions()
    /// The checklist templates runs are started from (`config/checklists/*.yaml`), read when a
    /// page needs them; a template file that cannot be read is an error naming it.
    public var checklistTemplates: @Sendable () throws -> [ChecklistTemplate] = { [] }
    /// Obligation records (DESIGN decision 10).
    public var records: any RecordReading = NoRecords()
    /// The obligation rules' schedules as compiled now; empty: every obligation of every room, yearly.
    public var obligationDuties: @Sendable () -> [ObligationDuty] = { [] }
    /// The threshold rules' limits of a point, as compiled now (charts draw them).
    public var limits: @Sendable (PointID) -> [PointLimit] = { _ in [] }
    /// A ticket's address in its ITSM tool (target, ticket reference), nil when it has none.
    public var ticketURL: @Sendable (String, String) -> String? = { target, ticket in
        target == "builtin" ? "/tickets/\(ticket)" : nil
    }

    public init(status: any AgentStatusSource, events: any EventReading, commits: @escaping @Sendable () -> AsyncStream<Void>) {
        self.status = status
        self.events = events
        self.commits = commits
        self.followUpFigures = (events as? any FollowUpReading) ?? NoFollowUps()
    }
}

/// The HTTP routes of DCAgent: `/healthz` and the v1 API under `/api/v1`, grouped per resource
/// (DESIGN decision 16). The paths before v1 answer 308 to their v1 paths.
public enum WebRoutes {
    public static let apiBase = "/api/v1"

    /// The session cookie's name.
    public static let sessionCookie = "DCAGENT_SESSION"

    public static func router(_ sources: WebSources, logger: Logger) -> Router<WebContext> {
        let router = Router(context: WebContext.self)
        // First, so they wrap every route and the not-found answer.
        router.add(middleware: SecurityHeadersMiddleware(tls: sources.tls))
        router.add(middleware: APIErrorMiddleware(logger: logger))
        router.add(
            middleware: SessionMiddleware(
                storage: sources.access.sessionStore,
                configuration: .init(
                    sessionCookieParameters: .init(name: sessionCookie, path: "/", secure: sources.secureCookies, sameSite: .strict),
                    keyPrefix: "s.", defaultSessionExpiration: sources.sessionLifetime)))
        router.add(middleware: AuthMiddleware(access: sources.access, logger: logger))
        if let renderer = sources.pages {
            let pages = Pages(renderer: renderer, sources: sources, logger: logger)
            // Inside the login: error pages know who reads them (their language, the menu).
            router.add(middleware: PageErrorMiddleware(pages: pages))
            pages.register(on: router)
        }
        router.get("/healthz") { _, _ -> Response in
            let health = await sources.status.health()
            return try WebJSON.response(health, status: health.writer.stuck ? .serviceUnavailable : .ok)
        }
        registerProbes(on: router, sources)
        let api = router.group(RouterPath(apiBase))
        SessionAPI(access: sources.access, sessionLifetime: sources.sessionLifetime).register(on: api)
        TokensAPI(access: sources.access).register(on: api)
        DevicesAPI(status: sources.status).register(on: api)
        EventsAPI(sources: sources, logger: logger).register(on: api)
        EventActionsAPI(actions: sources.eventActions, access: sources.access).register(on: api)
        TicketsAPI(tickets: sources.tickets).register(on: api)
        ITSMReportAPI(followUps: sources.followUpFigures, sites: sources.sites).register(on: api)
        LegacyPaths.register(on: router)
        return router
    }
}

// MARK: Probes for load balancers and Prometheus: `/readyz`, `/metrics` (outside `/api/v1`)

extension WebRoutes {
    /// The Prometheus text exposition format's content type.
    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `GET /readyz`: 200 when the agent is ready to serve, else 503 naming what is not;
    /// `GET /metrics`: the exposition, when the sources have one.
    static func registerProbes(on router: Router<WebContext>, _ sources: WebSources) {
        router.get("/readyz") { _, _ -> Response in
            let readiness = await sources.status.readiness()
            return try WebJSON.response(readiness, status: readiness.ready ? .ok : .serviceUnavailable)
        }
        if let metrics = sources.metrics {
            router.get("/metrics") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: metricsContentType], body: .init(byteBuffer: ByteBuffer(string: await metrics())))
            }
        }
    }
}

extension RouterGroup {
    /// Registers a read-only resource: GET answers, every other method 405 with `Allow: GET`.
    func resource(_ path: RouterPath, get handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        get(path, use: handler)
        for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
            on(path, method: method) { request, _ -> Response in
                var e = APIError(
                    .methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.uri.path); use GET")
                e.headers[.allow] = "GET"
                throw e
            }
        }
    }
}
