import AgentStore
import ContaminationRules
import DCAgentWeb
import FloorModel
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Telemetry
import Testing

/// The pages in process (issue 14): the login form, the language, the 404 page, refusals shown
/// on the form with the field marked, CSRF and roles on form posts, and floor edits refused by
/// the one fit check, naming why.
@Suite("Pages: login, language, errors, forms, floor edits", .serialized, .timeLimit(.minutes(3)))
struct PageRoutesTests {
    final class Rig: Sendable {
        let auth: AuthRoutesTests.Rig
        let renderer: PageRenderer

        init() async throws {
            auth = try AuthRoutesTests.Rig()
            try auth.store.floor.importFloors(
                try JSONDecoder().decode(FloorDocument.self, from: Data(Self.document.utf8)).floors(), actor: "ana", source: "pages-test")
            renderer = try await PageRenderer.load()
        }

        /// One site, one room, three racks: T-R01 holds S1 (1U at U10) and S2 (2U at U20–21).
        static let document = """
            {"version": 1,
             "device_types": [{"slug": "s1", "manufacturer": "A", "model": "S1", "u_height": 1, "weight_kg": 10},
                              {"slug": "s2", "manufacturer": "A", "model": "S2", "u_height": 2, "weight_kg": 20}],
             "sites": [
              {"id": "T", "name": "Test Site", "kind": "DC", "time_zone": "Asia/Jakarta",
               "rooms": [{"id": "T-H1", "name": "Hall", "grid": {"tile_mm": 600, "rows": 3, "columns": 6},
                 "racks": [
                   {"id": "T-R01", "tile": "B01", "facing": "south", "power_budget_kw": 2,
                    "pdus": [{"id": "T-R01-PDU-A", "side": "A", "rating_kw": 3}],
                    "devices": [{"id": "T-R01-S1", "type": "s1", "position": 10, "allocated_power_w": 500, "powered_by": ["T-R01-PDU-A"]},
                                {"id": "T-R01-S2", "type": "s2", "position": 20, "allocated_power_w": 800}]},
                   {"id": "T-R02", "tile": "B02", "facing": "south", "power_budget_kw": 1,
                    "devices": [{"id": "T-R02-S1", "type": "s1", "position": 5, "allocated_power_w": 400}]},
                   {"id": "T-R03", "tile": "B03", "facing": "south", "power_budget_kw": 2}]}]}]}
            """

        func app(language: Language = .id) -> some ApplicationProtocol {
            let commits = auth.commits
            let store = auth.store
            var sources = WebSources(status: FixedStatus(), events: store.events, commits: { commits.subscribe() })
            var policy = LoginPolicy()
            policy.maxFailures = 3
            sources.access = SiteAccess(store: store, policy: policy)
            sources.eventActions = store.eventActions
            sources.pages = renderer
            sources.language = language
            sources.sites = [WebSite(id: "T", name: "Test Site", timeZone: "Asia/Jakarta")]
            sources.floors = store.floor
            sources.floorEdits = store.floor
            sources.samples = store.samples
            sources.audit = store.audit
            sources.checklists = store.checklists
            sources.tickets = store.tickets
            sources.followUps = store.followUps
            sources.keepAliveEvery = .milliseconds(200)
            return Application(router: WebRoutes.router(sources, logger: Logger(label: "pages-test")))
        }
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }

    static let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Logs in through the form; the cookie header value.
    static func login(_ client: some TestClientProtocol, _ user: String) async throws -> String {
        try await client.execute(
            uri: "/login", method: .post, headers: formType,
            body: form([("user", user), ("password", AuthRoutesTests.password), ("next", "/events")])
        ) { r in
            #expect(r.status == .seeOther && r.headers[.location] == "/events", "\(r.status) \(String(buffer: r.body))")
            let setCookie = try #require(r.headers[.setCookie])
            return try #require(setCookie.split(separator: ";").first).trimmingCharacters(in: .whitespaces)
        }
    }

    /// The CSRF token a page's forms carry.
    static func csrf(_ html: String) throws -> String {
        let marker = #"name="_csrf" value=""#
        let start = try #require(html.range(of: marker)).upperBound
        return String(html[start...].prefix { $0 != "\"" })
    }

    /// The body with the template's HTML escapes undone (`&#39;` → `'`), to look for words in.
    static func html(_ r: TestResponse) -> String {
        String(buffer: r.body).replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Nothing a reader should never see: a stack trace, SQL, a file path of the sources.
    static func clean(_ html: String) -> Bool {
        !["Fatal error", "SELECT ", "INSERT ", "GRDB", ".swift:", "DatabaseError", "SQLite error"].contains { html.contains($0) }
    }

    @Test("a page without a login sends to the login form and back; a wrong password shows the form again with the reason in the reader's language")
    func loginForm() async throws {
        let rig = try await Rig()
        try await rig.app().test(.router) { client in
            try await client.execute(uri: "/rooms/T-H1?metric=power", method: .get) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/login?next=/rooms/T-H1%3Fmetric%3Dpower", "\(r.headers)")
            }
            try await client.execute(uri: "/login", method: .get) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "text/html; charset=utf-8")
                #expect(Self.html(r).contains(#"<html lang="id">"#) && Self.html(r).contains("Kata sandi"))
                #expect(r.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            }
            try await client.execute(
                uri: "/login", method: .post, headers: Self.formType, body: Self.form([("user", "ana"), ("password", "wrong"), ("next", "/")])
            ) { r in
                #expect(r.status == .unauthorized && r.headers[.setCookie] == nil)
                #expect(Self.html(r).contains("Pengguna tidak dikenal atau kata sandi salah.") && Self.html(r).contains(#"value="ana""#))
            }
            // An outside address in `next` is never followed.
            try await client.execute(
                uri: "/login", method: .post, headers: Self.formType,
                body: Self.form([("user", "ana"), ("password", AuthRoutesTests.password), ("next", "//evil.example/")])
            ) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/")
            }
            let cookie = try await Self.login(client, "vic")
            try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .ok && Self.html(r).contains("Test Site") && Self.html(r).contains(#"href="/rooms/T-H1""#))
            }
        }
    }

    @Test("an unknown id answers a 404 page in the reader's language (Indonesian by default, English when chosen), with no trace or SQL")
    func notFound() async throws {
        let rig = try await Rig()
        try await rig.app().test(.router) { client in
            let cookie = try await Self.login(client, "vic")
            for path in ["/racks/NOPE", "/rooms/T-R01", "/sensors/NOPE", "/events/999", "/tickets/INC-9", "/no/such/page", "/ci/bad%20id/history"] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { r in
                    #expect(r.status == .notFound, "\(path): \(r.status)")
                    #expect(Self.html(r).contains("Tidak ditemukan") && Self.html(r).contains(#"id="error-detail""#), "\(path)")
                    #expect(Self.clean(Self.html(r)), "\(path): \(Self.html(r))")
                }
            }
            try await client.execute(uri: "/racks/NOPE?lang=en", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .notFound && Self.html(r).contains("Not found") && Self.html(r).contains("There is no rack NOPE here"))
                // The choice is remembered.
                #expect(r.headers[.setCookie]?.hasPrefix("DCAGENT_LANG=en") == true, "\(r.headers)")
            }
            try await client.execute(uri: "/racks/NOPE", method: .get, headers: [.cookie: cookie + "; DCAGENT_LANG=en"]) { r in
                #expect(Self.html(r).contains("Not found") && Self.html(r).contains(#"<html lang="en">"#))
            }
            // The API keeps its JSON errors.
            try await client.execute(uri: "/api/v1/nope", method: .get) { r in
                #expect(r.status == .notFound && r.headers[.contentType] == "application/json")
            }
        }
    }

    @Test("a user's language follows them: chosen once with ?lang=en, kept in their account (audited), not only in one browser's cookie")
    func languagePerUser() async throws {
        let rig = try await Rig()
        try await rig.app(language: .id).test(.router) { client in
            let cookie = try await Self.login(client, "vic")
            try await client.execute(uri: "/?lang=en", method: .get, headers: [.cookie: cookie]) { r in
                #expect(Self.html(r).contains(#"<html lang="en">"#))
            }
            // Another browser: a new login, no language cookie.
            let other = try await Self.login(client, "vic")
            try await client.execute(uri: "/", method: .get, headers: [.cookie: other]) { r in
                #expect(Self.html(r).contains(#"<html lang="en">"#) && Self.html(r).contains("Sites"))
            }
            // Another user still reads the agent's default.
            let ops = try await Self.login(client, "ops")
            try await client.execute(uri: "/", method: .get, headers: [.cookie: ops]) { r in
                #expect(Self.html(r).contains(#"<html lang="id">"#) && Self.html(r).contains("Situs"))
            }
        }
        #expect(try await rig.auth.store.users.find("vic")?.language == "en")
        let rows = try await rig.auth.store.audit.entries(object: "user/vic", limit: 100, beforeSeq: nil)
        #expect(rows.contains { $0.action == "user.language" && $0.details["language.after"] == "en" && $0.actor == "vic" })
    }

    @Test("a filter with a bad value shows the page again with the field named; form posts need the session's CSRF token and the role")
    func badValuesAndRefusals() async throws {
        let rig = try await Rig()
        let id = try EventActionsRoutesTests.openEvent(rig.auth.store)
        try await rig.app(language: .en).test(.router) { client in
            let viewer = try await Self.login(client, "vic")
            try await client.execute(uri: "/events?severity=loud&rack=T-R01", method: .get, headers: [.cookie: viewer]) { r in
                #expect(r.status == .badRequest)
                #expect(Self.html(r).contains(#"data-field="severity""#) && Self.html(r).contains("severity 'loud'"), "\(Self.html(r))")
            }
            // A viewer sees the event but not the action forms; a forged post is refused.
            let page = try await client.execute(uri: "/events/\(id)", method: .get, headers: [.cookie: viewer])
            #expect(page.status == .ok && !Self.html(page).contains(#"id="form-ack""#))
            let token = try Self.csrf(Self.html(page))
            var headers = Self.formType
            headers[.cookie] = viewer
            try await client.execute(uri: "/events/\(id)/ack", method: .post, headers: headers, body: Self.form([("_csrf", token)])) { r in
                #expect(r.status == .forbidden && Self.html(r).contains("Not allowed"), "\(r.status)")
            }
            let ops = try await Self.login(client, "ops")
            headers[.cookie] = ops
            try await client.execute(uri: "/events/\(id)/ack", method: .post, headers: headers, body: Self.form([("note", "on it")])) { r in
                #expect(r.status == .forbidden && Self.html(r).contains("security token"), "no CSRF token: \(r.status)")
            }
            let opsPage = try await client.execute(uri: "/events/\(id)", method: .get, headers: [.cookie: ops])
            let opsToken = try Self.csrf(Self.html(opsPage))
            try await client.execute(uri: "/events/\(id)/silence", method: .post, headers: headers, body: Self.form([("_csrf", opsToken), ("for", "soon")])) { r in
                #expect(r.status == .badRequest && Self.html(r).contains("'soon' is not a duration"))
                #expect(Self.html(r).contains(#"id="silence-for" name="for" placeholder="2h" size="6" aria-invalid="true""#), "the field is marked")
            }
            try await client.execute(uri: "/events/\(id)/ack", method: .post, headers: headers, body: Self.form([("_csrf", opsToken), ("note", "on it")])) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/events/\(id)")
            }
            try await client.execute(uri: "/events/\(id)", method: .get, headers: [.cookie: ops]) { r in
                #expect(Self.html(r).contains("ops · "), "acknowledged by ops")
                #expect(Self.html(r).contains("“on it”"))
            }
            #expect(try await rig.auth.store.events.events().first?.operatorState.acknowledgedBy == "ops")
        }
    }

    @Test("a change is approved on its ticket page by an approver who is not its requester; a known error is recorded by an engineer; lower roles see no form and are refused")
    func changesAndProblems() async throws {
        let rig = try await Rig()
        let store = rig.auth.store
        let incident = OpeningKey(dedupKey: "rack-power-budget|T-R01|T-R01/power_total", firstSeen: Timestamp(milliseconds: 1_796_000_000_000))
        var w = ITSMFollowUps.Write(target: "builtin", incident: incident, incidentTicket: "INC-000001", reason: "test")
        w.newProblem = (
            OpeningKey(dedupKey: "problem|" + incident.dedupKey, firstSeen: incident.firstSeen), incident.dedupKey, "Recurring: T-R01 over budget",
            "three in a month", "rising", "T-R01", [(incident, "INC-000001")]
        )
        w.newChange = (
            OpeningKey(dedupKey: "change|" + incident.dedupKey, firstSeen: incident.firstSeen), "RFC: rebalance T-R01", "Rebalance the load.",
            "normal", ["T-R01"], nil, nil
        )
        let made = try await store.followUps.record(w)
        let problem = try #require(made.problem)
        let change = try #require(made.change)
        try await rig.app(language: .en).test(.router) { client in
            let ops = try await Self.login(client, "ops")
            let opsPage = try await client.execute(uri: "/tickets/\(change)", method: .get, headers: [.cookie: ops])
            #expect(opsPage.status == .ok && Self.html(opsPage).contains("Request for change") && !Self.html(opsPage).contains(#"id="form-approve""#))
            var headers = Self.formType
            headers[.cookie] = ops
            try await client.execute(
                uri: "/tickets/\(change)/approve", method: .post, headers: headers, body: Self.form([("_csrf", try Self.csrf(Self.html(opsPage)))])
            ) { r in
                #expect(r.status == .forbidden, "an operator may not approve: \(r.status)")
            }
            let admin = try await Self.login(client, "ana")
            headers[.cookie] = admin
            // Ana as the requester: no form, and the post is refused naming J.2.
            try await store.database.writer.write { db in try db.execute(sql: "UPDATE itsm_changes SET requester = 'ana'") }
            let own = try await client.execute(uri: "/tickets/\(change)", method: .get, headers: [.cookie: admin])
            #expect(!Self.html(own).contains(#"id="form-approve""#))
            let token = try Self.csrf(Self.html(own))
            try await client.execute(uri: "/tickets/\(change)/approve", method: .post, headers: headers, body: Self.form([("_csrf", token)])) { r in
                #expect(r.status == .forbidden && Self.html(r).contains("requested it and may not approve it"), "\(r.status)")
            }
            try await store.database.writer.write { db in try db.execute(sql: "UPDATE itsm_changes SET requester = 'system'") }
            let page = try await client.execute(uri: "/tickets/\(change)", method: .get, headers: [.cookie: admin])
            #expect(Self.html(page).contains(#"id="form-approve""#))
            try await client.execute(
                uri: "/tickets/\(change)/approve", method: .post, headers: headers, body: Self.form([("_csrf", token), ("note", "Saturday")])
            ) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/tickets/\(change)")
            }
            try await client.execute(uri: "/tickets/\(change)", method: .get, headers: [.cookie: admin]) { r in
                #expect(Self.html(r).contains(#"<dd id="change-state">approved</dd>"#) && Self.html(r).contains(#"<dd id="decided-by">ana: Saturday</dd>"#))
            }
            // The known error: an operator is refused; an empty workaround marks the field.
            headers[.cookie] = ops
            try await client.execute(
                uri: "/tickets/\(problem)/known-error", method: .post, headers: headers,
                body: Self.form([("_csrf", try Self.csrf(Self.html(opsPage))), ("root_cause", "x"), ("workaround", "y")])
            ) { r in
                #expect(r.status == .forbidden)
            }
            headers[.cookie] = admin
            try await client.execute(
                uri: "/tickets/\(problem)/known-error", method: .post, headers: headers,
                body: Self.form([("_csrf", token), ("root_cause", "two chassis on feed A"), ("workaround", " ")])
            ) { r in
                #expect(r.status == .badRequest && Self.html(r).contains(#"id="workaround-input" name="workaround" value="" aria-invalid="true""#), "\(Self.html(r))")
            }
            try await client.execute(
                uri: "/tickets/\(problem)/known-error", method: .post, headers: headers,
                body: Self.form([("_csrf", token), ("root_cause", "two chassis on feed A"), ("workaround", "move one to T-R03")])
            ) { r in
                #expect(r.status == .seeOther)
            }
            try await client.execute(uri: "/tickets/\(problem)", method: .get, headers: [.cookie: admin]) { r in
                #expect(Self.html(r).contains(#"<dd id="problem-state">known_error</dd>"#) && Self.html(r).contains(#"<dd id="workaround">move one to T-R03</dd>"#))
            }
        }
        let audit = try await store.audit.entries(object: nil, limit: 50, beforeSeq: nil)
        #expect(audit.contains { $0.action == "change.approve" && $0.actor == "ana" && $0.object == "change/\(change)" })
        #expect(audit.contains { $0.action == "problem.known_error" && $0.actor == "ana" })
    }

    @Test("a move the fit check refuses is shown on the rack page naming why, the field marked, nothing written; the live check says the same; a move that fits is saved and audited")
    func floorEdits() async throws {
        let rig = try await Rig()
        let deviceRows: @Sendable () async throws -> Int = { try await rig.auth.store.audit.entries(object: "T-R02-S1", limit: 1000, beforeSeq: nil).count }
        #expect(try await deviceRows() == 0)
        try await rig.app(language: .en).test(.router) { client in
            let admin = try await Self.login(client, "ana")
            let page = try await client.execute(uri: "/racks/T-R02", method: .get, headers: [.cookie: admin])
            #expect(page.status == .ok && Self.html(page).contains(#"id="move-form""#) && Self.html(page).contains("<svg"))
            let token = try Self.csrf(Self.html(page))
            var headers = Self.formType
            headers[.cookie] = admin
            let move: [(String, String)] = [("_csrf", token), ("op", "move"), ("device", "T-R02-S1"), ("to_rack", "T-R01"), ("position", "20"), ("face", "front")]
            try await client.execute(uri: "/racks/T-R02/fit", method: .post, headers: headers, body: Self.form(move)) { r in
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: r.body).utf8)) as? [String: Any])
                #expect(answer["fits"] as? Bool == false && answer["field"] as? String == "position")
                #expect((answer["problems"] as? [String])?.first?.contains("overlaps T-R01-S2") == true, "\(answer)")
            }
            try await client.execute(uri: "/racks/T-R02/move", method: .post, headers: headers, body: Self.form(move)) { r in
                #expect(r.status == .conflict)
                let html = Self.html(r)
                #expect(html.contains(#"id="edit-error" data-field="position""#) && html.contains("overlaps T-R01-S2"), "\(html)")
                #expect(html.contains(#"id="move-position" name="position" inputmode="decimal" value="20" aria-invalid="true""#), "the field is marked and kept")
            }
            #expect(try await rig.auth.store.floor.floors().first?.device("T-R02-S1")?.rack == "T-R02", "nothing moved")
            #expect(try await deviceRows() == 0, "no audit row for a refused move")
            // Over the power budget: T-R01 plans 1.3 kW of 2 kW; a 400 W device fits at U30, but
            // T-R02's 1 kW budget refuses S2's 800 W on top of S1's 400 W.
            let overBudget: [(String, String)] = [("_csrf", token), ("op", "move"), ("device", "T-R01-S2"), ("to_rack", "T-R02"), ("position", "30"), ("face", "front")]
            try await client.execute(uri: "/racks/T-R01/move", method: .post, headers: headers, body: Self.form(overBudget)) { r in
                #expect(r.status == .conflict && Self.html(r).contains("over its power budget of 1 kW"), "\(Self.html(r))")
            }
            let fits: [(String, String)] = [("_csrf", token), ("op", "move"), ("device", "T-R02-S1"), ("to_rack", "T-R01"), ("position", "30"), ("face", "front")]
            try await client.execute(uri: "/racks/T-R02/fit", method: .post, headers: headers, body: Self.form(fits)) { r in
                #expect(String(buffer: r.body).contains(#""fits":true"#))
            }
            try await client.execute(uri: "/racks/T-R02/move", method: .post, headers: headers, body: Self.form(fits)) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/racks/T-R01?saved=T-R02-S1")
            }
            #expect(try await rig.auth.store.floor.floors().first?.device("T-R02-S1")?.rack == "T-R01")
            try await client.execute(uri: "/ci/T-R02-S1/history", method: .get, headers: [.cookie: admin]) { r in
                let html = Self.html(r)
                #expect(r.status == .ok && html.contains("device.move") && html.contains(">ana<"))
                #expect(html.contains(#"<th scope="row">rack</th><td class="before">T-R02</td><td aria-hidden="true">→</td><td class="after">T-R01</td>"#), "\(html)")
            }
            // A bad position is the form again with the field marked.
            try await client.execute(uri: "/racks/T-R01/move", method: .post, headers: headers,
                body: Self.form([("_csrf", token), ("device", "T-R01-S1"), ("position", "high"), ("face", "front")])) { r in
                #expect(r.status == .badRequest && Self.html(r).contains("'high' is not a rack unit"))
            }
            // A viewer may check a placement but not save one.
            let viewer = try await Self.login(client, "vic")
            let vpage = try await client.execute(uri: "/racks/T-R01", method: .get, headers: [.cookie: viewer])
            #expect(!Self.html(vpage).contains(#"id="move-form""#))
            headers[.cookie] = viewer
            try await client.execute(uri: "/racks/T-R01/move", method: .post, headers: headers,
                body: Self.form([("_csrf", try Self.csrf(Self.html(vpage))), ("device", "T-R01-S1"), ("position", "30")])) { r in
                #expect(r.status == .forbidden)
            }
        }
    }

    @Test("the floor plan draws every rack, 1.5 kW of a 2 kW budget as 75 %, and a rack without readings as no data (never a normal colour)")
    func floorPlan() async throws {
        let rig = try await Rig()
        // A fresh inlet reading for T-R01 only, as the rules engine's derived power_total would be stored.
        try rig.auth.store.samples.write([Reading(point: PointID("T-R01/power_total")!, time: .now, value: 1500, quality: .good)])
        try await rig.app(language: .en).test(.live) { client in
            let cookie = try await Self.login(client, "vic")
            try await client.execute(uri: "/rooms/T-H1?metric=power", method: .get, headers: [.cookie: cookie]) { r in
                let html = Self.html(r)
                #expect(r.status == .ok)
                #expect(html.contains(#"data-ci="T-R01""#) && html.contains(#"data-ci="T-R02""#) && html.contains(#"data-ci="T-R03""#))
                // 1500 W of a 2 kW budget is 75 %.
                #expect(html.contains(#"data-rack-value="T-R01">75 %"#), "\(html)")
                #expect(html.contains(#"data-rack-state="T-R02" title="no power_total reading">no data"#), "\(html)")
            }
            try await client.execute(uri: "/rooms/T-H1?metric=loud", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .badRequest && Self.html(r).contains("'loud' is not a valid choice"))
            }
        }
    }
}
