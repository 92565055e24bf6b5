import AgentStore
import ContaminationRules
import DCAgentWeb
import FloorModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Telemetry
import Testing

/// The checklist pages and the obligations calendar in process (issue 14 item 7): a run started,
/// answered and submitted through the forms; its executor's approval refused by segregation of
/// duties (Lampiran II J.2) on the page, nothing changed; another approver's approval taken; a
/// viewer's post refused; a bad value shown on the form with the field marked; an overdue
/// obligation listed as overdue.
@Suite("Pages: checklists and the obligations calendar", .serialized, .timeLimit(.minutes(3)))
struct ChecklistPagesTests {
    /// A rack checklist with two items a person answers (no automatic item, so the run's
    /// outcome depends on the answers alone).
    static let template = try! JSONDecoder().decode(
        ChecklistTemplate.self,
        from: Data(
            """
            {"id": "rack-check", "kind": "cable-check", "title": "Rack check", "version": 1,
             "items": [{"id": "labels", "text": "Labels match the records", "reference": "Lampiran II I.1.b.6"},
                       {"id": "routing", "text": "Routing tidy"}]}
            """.utf8))

    /// The pages' rig (site T, room T-H1, racks T-R01…T-R03; users ana/admin, vic/viewer,
    /// ops/operator) plus eng/engineer, apr/approver and sup/supervisor, and the checklist and records sources.
    final class Rig: Sendable {
        let pages: PageRoutesTests.Rig
        var store: SiteStore { pages.auth.store }

        init() async throws {
            pages = try await PageRoutesTests.Rig()
            var fast = LoginPolicy()
            fast.bcryptCost = 4
            for (name, role) in [("eng", Role.engineer), ("apr", .approver), ("sup", .supervisor)] {
                _ = try pages.auth.store.users.add(name: name, role: role, fullName: nil, actor: "ana")
                try pages.auth.store.users.setPassword(name, to: AuthRoutesTests.password, actor: "ana", policy: fast)
            }
        }

        func app(duties: [ObligationDuty] = []) -> some ApplicationProtocol {
            let commits = pages.auth.commits
            let store = self.store
            var sources = WebSources(status: FixedStatus(), events: store.events, commits: { commits.subscribe() })
            sources.access = SiteAccess(store: store, policy: LoginPolicy())
            sources.pages = pages.renderer
            sources.language = .id
            sources.sites = [WebSite(id: "T", name: "Test Site", timeZone: "Asia/Jakarta")]
            sources.floors = store.floor
            sources.audit = store.audit
            sources.checklists = store.checklists
            sources.checklistActions = store.checklists
            sources.checklistTemplates = { [ChecklistPagesTests.template] }
            sources.records = store.records
            sources.obligationDuties = { duties }
            return Application(router: WebRoutes.router(sources, logger: Logger(label: "checklist-pages-test")))
        }
    }

    typealias P = PageRoutesTests

    /// Logs in and reads the CSRF token of `path`: (cookie, token).
    static func session(_ client: some TestClientProtocol, _ user: String, _ path: String) async throws -> (String, String) {
        let cookie = try await P.login(client, user)
        let page = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
        #expect(page.status == .ok, "\(user) GET \(path): \(page.status)")
        return (cookie, try P.csrf(P.html(page)))
    }

    static func post(_ client: some TestClientProtocol, _ path: String, _ session: (String, String), _ fields: [(String, String)]) async throws -> TestResponse {
        var headers = P.formType
        headers[.cookie] = session.0
        return try await client.execute(uri: path, method: .post, headers: headers, body: P.form([("_csrf", session.1)] + fields))
    }

    /// With `DCAGENT_PAGE_DUMP=DIR`, writes a page's HTML to `DIR/NAME.html` (to look at it in a browser).
    static func dump(_ name: String, _ r: TestResponse) {
        guard let dir = ProcessInfo.processInfo.environment["DCAGENT_PAGE_DUMP"] else { return }
        try? String(buffer: r.body).write(toFile: "\(dir)/\(name).html", atomically: true, encoding: .utf8)
    }

    @Test("start, answer, submit; the executor's approval is refused naming J.2 and changes nothing; a viewer is refused 403; another approver approves; a bad value marks its field")
    func runThroughTheForms() async throws {
        let rig = try await Rig()
        try await rig.app().test(.router) { client in
            let ana = try await Self.session(client, "ana", "/checklists")
            // Start: an empty change reference is refused on the form, the field marked, no run stored.
            var r = try await Self.post(client, "/checklists", ana, [("template", "rack-check"), ("target", "T-R03"), ("change", "")])
            #expect(r.status == .badRequest)
            #expect(P.html(r).contains(#"id="start-change" name="change" value="" size="12" placeholder="RFC-1234" aria-invalid="true""#), "\(P.html(r))")
            #expect(try await rig.store.checklists.recentRuns(state: nil, limit: 10).isEmpty)
            // A target that is not on the floor: refused, naming the target field.
            r = try await Self.post(client, "/checklists", ana, [("template", "rack-check"), ("target", "T-R99"), ("change", "RFC-7")])
            #expect(r.status == .badRequest && P.html(r).contains(#"id="start-target" name="target" value="T-R99""#) && P.html(r).contains("T-R99"))
            #expect(P.html(r).contains(#"aria-invalid="true" class="invalid">"#))

            r = try await Self.post(client, "/checklists", ana, [("template", "rack-check"), ("target", "T-R03"), ("change", "RFC-7")])
            #expect(r.status == .seeOther && r.headers[.location] == "/checklists/CL-1", "\(r.status) \(P.html(r))")
            let id = "CL-1"

            // A bad outcome and a fail without a note: the form again with the field marked, nothing answered.
            r = try await Self.post(client, "/checklists/\(id)/answer", ana, [("item", "labels"), ("outcome", "maybe")])
            #expect(r.status == .badRequest && P.html(r).contains("'maybe'"))
            #expect(P.html(r).contains(#"<fieldset id="answer-outcome" aria-invalid="true""#), "outcome marked")
            r = try await Self.post(client, "/checklists/\(id)/answer", ana, [("item", "labels"), ("outcome", "fail"), ("note", "")])
            #expect(r.status == .conflict && P.html(r).contains("memerlukan catatan"), "note required, in Indonesian")
            #expect(P.html(r).contains(#"id="answer-note" name="note" size="30" value="" aria-invalid="true""#), "note marked")
            #expect(P.html(r).contains(#"value="fail" checked"#) && P.html(r).contains(#"<option value="labels" selected>"#), "what was chosen is kept")
            Self.dump("checklist-answer-refused", r)
            #expect(try await rig.store.checklists.run(id: id)?.answers.isEmpty == true)

            for item in ["labels", "routing"] {
                r = try await Self.post(client, "/checklists/\(id)/answer", ana, [("item", item), ("outcome", "pass"), ("note", "seen")])
                #expect(r.status == .seeOther, "answer \(item): \(r.status) \(P.html(r))")
            }
            r = try await Self.post(client, "/checklists/\(id)/submit", ana, [])
            #expect(r.status == .seeOther)
            #expect(try await rig.store.checklists.run(id: id)?.state == .submitted)

            // The executor approving: refused on the page by segregation of duties, in the reader's language.
            r = try await Self.post(client, "/checklists/\(id)/approve", ana, [("note", "looks fine")])
            #expect(r.status == .conflict)
            let refused = P.html(r)
            Self.dump("checklist-refused", r)
            #expect(refused.contains("Pemisahan tugas (Lampiran II J.2): ana melaksanakan run CL-1"), "\(refused)")
            #expect(refused.contains(#"id="action-error""#) && P.clean(refused))
            #expect(refused.contains(#"id="form-approve" data-refused="true""#), "the approval form is marked")
            var stored = try #require(try await rig.store.checklists.run(id: id))
            #expect(stored.state == .submitted && stored.decidedBy == nil)
            #expect(try rig.pages.auth.audit("checklist.approve").isEmpty)
            // Rejecting one's own run is refused the same way.
            r = try await Self.post(client, "/checklists/\(id)/reject", ana, [("reason", "no")])
            #expect(r.status == .conflict && P.html(r).contains("J.2"))

            // A viewer's post: 403, nothing changes. An engineer cannot approve either (the CLI's role).
            let vic = try await Self.session(client, "vic", "/checklists/\(id)")
            r = try await Self.post(client, "/checklists/\(id)/approve", vic, [])
            #expect(r.status == .forbidden)
            let eng = try await Self.session(client, "eng", "/checklists/\(id)")
            r = try await Self.post(client, "/checklists/\(id)/approve", eng, [])
            #expect(r.status == .forbidden)
            #expect(try await rig.store.checklists.run(id: id)?.state == .submitted)

            // Another approver approves.
            let apr = try await Self.session(client, "apr", "/checklists/\(id)")
            r = try await Self.post(client, "/checklists/\(id)/approve", apr, [("note", "checked")])
            #expect(r.status == .seeOther, "\(r.status) \(P.html(r))")
            stored = try #require(try await rig.store.checklists.run(id: id))
            #expect(stored.state == .approved && stored.decidedBy == "apr")
            #expect(try rig.pages.auth.audit("checklist.approve").map(\.actor) == ["apr"])
            try await client.execute(uri: "/checklists/\(id)", method: .get, headers: [.cookie: apr.0]) { r in
                let html = P.html(r)
                #expect(html.contains(#"data-state="approved">Disetujui"#) && html.contains("apr: “checked”"))
                #expect(html.contains(#"data-item="labels" data-outcome="pass""#) && !html.contains(#"id="form-approve""#))
            }
            // The list, newest first, filtered by state; a bad state is marked.
            try await client.execute(uri: "/checklists?state=approved", method: .get, headers: [.cookie: apr.0]) { r in
                Self.dump("checklists", r)
                #expect(r.status == .ok && P.html(r).contains(#"data-run="CL-1""#))
            }
            try await client.execute(uri: "/checklists?state=submitted", method: .get, headers: [.cookie: apr.0]) { r in
                #expect(r.status == .ok && !P.html(r).contains(#"data-run="CL-1""#))
            }
            try await client.execute(uri: "/checklists?state=done", method: .get, headers: [.cookie: apr.0]) { r in
                #expect(r.status == .badRequest && P.html(r).contains(#"data-field="state""#))
            }
            try await client.execute(uri: "/checklists/CL-99", method: .get, headers: [.cookie: apr.0]) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("the obligations calendar shows each obligation of the room as overdue, due soon or current, with who did it last and the records")
    func obligationsCalendar() async throws {
        let rig = try await Rig()
        let now = Timestamp.now
        let day: Double = 86_400
        // The schedule is yearly (365 days), warned 30 days ahead (no obligation rule is configured):
        // cleaning done 400 days ago  → due 400 − 365 = 35 days ago         → overdue;
        // particles done 350 days ago → due in 365 − 350 = 15 days (< 30)   → due soon;
        // corrosion done 100 days ago → due in 265 days (> 30)               → current;
        // CI audit never recorded                                           → overdue.
        let cleaningAt = now.adding(seconds: -400 * day)
        _ = try rig.store.records.add(
            ObligationRecord(room: "T-H1", kind: .cleaning, doneAt: cleaningAt, doneBy: "Budi", thirdParty: "PT Bersih", escort: "ops",
                note: "raised floor", documentReference: "WO-17"),
            roomIsSensitive: true, actor: "ana")
        _ = try rig.store.records.add(
            ObligationRecord(room: "T-H1", kind: .particleMeasurement, doneAt: now.adding(seconds: -350 * day), doneBy: "Lab A"),
            roomIsSensitive: true, actor: "ana")
        _ = try rig.store.records.add(
            ObligationRecord(room: "T-H1", kind: .corrosionMeasurement, doneAt: now.adding(seconds: -100 * day), doneBy: "Lab B"),
            roomIsSensitive: true, actor: "ana")
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Jakarta")
        f.dateFormat = "yyyy-MM-dd"
        let cleaningDay = f.string(from: Date(timeIntervalSince1970: Double(cleaningAt.milliseconds) / 1000))
        let cleaningDue = f.string(from: Date(timeIntervalSince1970: Double(cleaningAt.adding(seconds: 365 * day).milliseconds) / 1000))

        try await rig.app().test(.router) { client in
            let vic = try await P.login(client, "vic")
            try await client.execute(uri: "/obligations", method: .get, headers: [.cookie: vic]) { r in
                Self.dump("obligations", r)
                let html = P.html(r)
                #expect(r.status == .ok)
                #expect(html.contains(#"data-kind="cleaning" data-standing="overdue""#), "\(html)")
                #expect(html.contains(#"data-kind="particle_measurement" data-standing="dueSoon""#))
                #expect(html.contains(#"data-kind="corrosion_measurement" data-standing="ok""#))
                #expect(html.contains(#"data-kind="ci_audit" data-standing="overdue""#))
                // The cleaning row: last done, by whom, the third party and escort, next due, the state in Indonesian.
                let start = try #require(html.range(of: #"data-kind="cleaning""#))
                let rest = html[start.lowerBound...]
                let cleaningRow = String(rest[..<(rest.range(of: "</tr>")?.lowerBound ?? rest.endIndex)])
                #expect(cleaningRow.contains("terlambat") && cleaningRow.contains(cleaningDay) && cleaningRow.contains("Budi"))
                #expect(cleaningRow.contains("PT Bersih") && cleaningRow.contains("Pendamping: ops") && cleaningRow.contains(cleaningDue))
                #expect(cleaningRow.contains("/obligations?room=T-H1&kind=cleaning#records"))
                #expect(html.contains(#"<span class="badge ob-overdue">terlambat: 2</span>"#))
            }
            try await client.execute(uri: "/obligations?room=T-H1&kind=cleaning", method: .get, headers: [.cookie: vic]) { r in
                Self.dump("obligation-records", r)
                let html = P.html(r)
                #expect(r.status == .ok && html.contains(#"id="records-table""#) && html.contains("WO-17") && html.contains("raised floor"))
                let records = try #require(html.range(of: #"id="records""#)).upperBound
                #expect(html[records...].contains("Budi") && !html[records...].contains("Lab A"), "only the cleaning records are listed")
            }
            try await client.execute(uri: "/obligations?room=T-H1&kind=sweeping", method: .get, headers: [.cookie: vic]) { r in
                #expect(r.status == .badRequest && P.html(r).contains(#"data-field="kind""#))
            }
            try await client.execute(uri: "/obligations?room=NOPE", method: .get, headers: [.cookie: vic]) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test("the calendar follows the rules' schedules when they set any: only the obligations they name, at their interval")
    func configuredSchedule() async throws {
        let rig = try await Rig()
        // Cleaning every 500 days, warned 30 days ahead; done 400 days ago → due in 100 days → current.
        _ = try rig.store.records.add(
            ObligationRecord(room: "T-H1", kind: .cleaning, doneAt: Timestamp.now.adding(seconds: -400 * 86_400), doneBy: "Budi"),
            roomIsSensitive: false, actor: "ana")
        let duty = ObligationDuty(
            schedule: ObligationSchedule(every: RuleDuration(seconds: 500 * 86_400), warnBefore: RuleDuration(seconds: 30 * 86_400)),
            kinds: [.cleaning], rooms: ["T-H1"])
        try await rig.app(duties: [duty]).test(.router) { client in
            let vic = try await P.login(client, "vic")
            try await client.execute(uri: "/obligations", method: .get, headers: [.cookie: vic]) { r in
                let html = P.html(r)
                #expect(html.contains(#"data-kind="cleaning" data-standing="ok""#), "\(html)")
                #expect(!html.contains(#"data-kind="ci_audit""#), "an obligation no rule names is not listed")
            }
        }
    }

    @Test("a rejection needs a reason (the field marked), the executor reopens; an override needs a real supervisor (J.3) and is recorded")
    func rejectReopenOverride() async throws {
        let rig = try await Rig()
        try await rig.app().test(.router) { client in
            let ana = try await Self.session(client, "ana", "/checklists")
            var r = try await Self.post(client, "/checklists", ana, [("template", "rack-check"), ("target", "T-R01"), ("change", "RFC-9")])
            #expect(r.status == .seeOther)
            let id = "CL-1"
            for item in ["labels", "routing"] { _ = try await Self.post(client, "/checklists/\(id)/answer", ana, [("item", item), ("outcome", "pass")]) }
            #expect(try await Self.post(client, "/checklists/\(id)/submit", ana, []).status == .seeOther)

            let apr = try await Self.session(client, "apr", "/checklists/\(id)")
            r = try await Self.post(client, "/checklists/\(id)/reject", apr, [("reason", "")])
            #expect(r.status == .conflict && P.html(r).contains("Alasan wajib diisi."))
            #expect(P.html(r).contains(#"id="reject-reason" name="reason" size="30" value="" aria-invalid="true""#), "reason marked")
            r = try await Self.post(client, "/checklists/\(id)/reject", apr, [("reason", "labels faded")])
            #expect(r.status == .seeOther)
            #expect(try await rig.store.checklists.run(id: id)?.state == .rejected)
            // Only the executor reopens.
            r = try await Self.post(client, "/checklists/\(id)/reopen", Self.session(client, "eng", "/checklists/\(id)"), [])
            #expect(r.status == .conflict && P.html(r).contains("Hanya pelaksana (ana)"))
            #expect(try await Self.post(client, "/checklists/\(id)/reopen", ana, []).status == .seeOther)
            #expect(try await rig.store.checklists.run(id: id)?.state == .inProgress)
            #expect(try await Self.post(client, "/checklists/\(id)/submit", ana, []).status == .seeOther)

            // The executor approves with an override: a viewer named as supervisor is refused on the field.
            r = try await Self.post(client, "/checklists/\(id)/approve", ana, [("override", "1"), ("supervisor", "vic"), ("override_reason", "night shift alone")])
            #expect(r.status == .badRequest && P.html(r).contains("supervisor or admin"))
            #expect(P.html(r).contains(#"id="approve-supervisor" name="supervisor" size="12" value="vic" aria-invalid="true""#))
            #expect(try await rig.store.checklists.run(id: id)?.state == .submitted)
            r = try await Self.post(client, "/checklists/\(id)/approve", ana, [("override", "1"), ("supervisor", "sup"), ("override_reason", "night shift alone")])
            #expect(r.status == .seeOther, "\(P.html(r))")
            let run = try #require(try await rig.store.checklists.run(id: id))
            #expect(run.state == .approved && run.decidedBy == "ana" && run.overrideSupervisor == "sup")
            let audit = try rig.pages.auth.audit("checklist.approve.override")
            #expect(audit.count == 1 && audit.first?.details["supervisor"] == "sup" && audit.first?.details["executor"] == "ana")
        }
    }
}
