import Foundation
import Glibc
import TestSupport
import Testing

/// The pages as a person uses them (issue 14), in a real headless Chromium against a real
/// daemon polling the simulator: log in, open the overview, the floor, a rack, a sensor and the
/// events; on the same page instance (no reload) watch a rack's colour change through
/// server-sent events after `dcagent-sim inject hot-spot`; acknowledge the event it raises and
/// follow its ticket link; try to move a device where it does not fit and read why.
@Suite("UI in a browser: floor live, events to tickets, floor edits", .serialized, .timeLimit(.minutes(8)))
struct UIBrowserTests {
    /// Where the screenshots go: `DCAGENT_SCREENSHOTS` when set (the docs' pictures are taken
    /// this way), else the test's temporary directory.
    static func shotPath(_ dir: TempDir, _ name: String) -> String {
        let base = ProcessInfo.processInfo.environment["DCAGENT_SCREENSHOTS"].flatMap { $0.isEmpty ? nil : $0 } ?? dir.path
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        return (base as NSString).appendingPathComponent(name + ".png")
    }

    @Test("log in; overview, floor, rack, sensor, events; a hot spot recolours the rack live; ack shows the ticket link; a move that does not fit is refused naming why")
    func walkThrough() async throws {
        let dir = TempDir()
        let modbusPort = freePort()
        let httpPort = freePort()
        let rules = dir.write(
            "rules.yaml",
            """
            rules:
              - { id: inlet-hot, kind: threshold, select: { quantity: temperature, name: temperature }, warning: 27, critical: 40, clear: 26, for: 1s }
            """)
        var sensors = ""
        for (unit, rack) in ["DC-R04", "DC-R05", "DC-R06", "DC-R15"].enumerated() {
            sensors += """
                  - id: \(rack)-TH1
                    profile: generic-th-probe
                    endpoint: tcp://127.0.0.1:\(modbusPort)
                    unit: \(unit + 1)
                    rack: \(rack)
                    interval: 1s

                """
        }
        let cfg = testConfig(
            dir: dir, port: httpPort,
            http: "  language: id",
            extra: """
                profiles:
                  directory: \(Repo.root)/config/profiles
                floor: { import_on_first_start: \(Repo.root)/config/floor/demo.yaml }
                rules: { file: \(rules), evaluate_every: 1s }
                itsm:
                  tickets: builtin
                  policy: { minimum_severity: warning }
                sensors:
                \(sensors)
                """)
        #expect(try await dcagent("user", "add", "demo", "--role", "admin", "--config", cfg).status == 0)
        let passwordFile = dir.write("password", "correct horse battery\n")
        let passwd = try await dcagent("user", "passwd", "demo", "--password-file", passwordFile, "--as", "demo", "--config", cfg)
        #expect(passwd.status == 0, "\(passwd.output)")
        let sim = try DemoFlowTests.Simulator(config: cfg, state: dir.file("sim"), log: dir.file("sim.log"))
        try await waitUntil(timeout: .seconds(60), "the simulator's Modbus gateway") { DemoFlowTests.tcpAnswers(modbusPort) }
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()
        let base = "http://127.0.0.1:\(httpPort)"

        let browser = try await Browser.start()
        do {
            try await browser.setViewportSize(width: 1366, height: 768)
            // Log in: the form answers in Indonesian (the config's language).
            try await browser.open(base + "/rooms/DC-H1")
            let user = try await browser.waitFor("#user")
            #expect(try await browser.find("#login-submit")?.text == "Masuk")
            try await user.type("demo")
            try await #require(try await browser.find("#password")).type("correct horse battery")
            try await #require(try await browser.find("#login-submit")).click()
            // Back where the reader was going: the floor plan.
            try await browser.waitUntil("the floor plan after the login") { try await browser.find("#plan svg") != nil }
            #expect(try await browser.currentURL.hasSuffix("/rooms/DC-H1"))

            // The overview: both numbers of the site, the room linked.
            try await browser.open(base + "/")
            let site = try await browser.waitFor("#site-DC")
            let siteText = try await site.text
            #expect(siteText.contains("Data Hall 1"), "\(siteText)")
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "overview"))

            // The floor: DC-R05 has a fresh inlet reading and a normal colour.
            try await browser.open(base + "/rooms/DC-H1")
            // The rack's mark, read fresh each time in one script: the live stream swaps the
            // drawing in, so an element found earlier may be gone.
            let mark: @Sendable () async throws -> (fill: String, value: Double?, state: String)? = {
                let m = try await browser.execute(
                    #"const r = document.querySelector('#plan .rack[data-ci="DC-R05"]'); return r ? {fill: r.getAttribute('fill'), value: r.getAttribute('data-value'), state: r.getAttribute('data-state')} : null;"#)
                guard let fill = m["fill"]?.string, let state = m["state"]?.string else { return nil }
                return (fill, m["value"]?.string.flatMap(Double.init), state)
            }
            try await browser.waitUntil(timeout: .seconds(60), "DC-R05 drawn with a value") { try await mark()?.state == "ok" }
            let before = try #require(try await mark())
            let fillBefore = before.fill
            let valueBefore = try #require(before.value)
            #expect((18...30).contains(valueBefore), "a demo inlet reads about 23 °C: \(valueBefore)")
            // Mark this page instance: a reload would lose the mark.
            _ = try await browser.execute("window.dcagentMark = 42; return true;")
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "floor"))

            let inject = try await runProcess(
                DemoFlowTests.simBinary, ["inject", "hot-spot", "--rack", "DC-R05", "--magnitude", "12", "--state", dir.file("sim")])
            #expect(inject.status == 0, "\(inject.output)")
            try await browser.waitUntil(timeout: .seconds(90), "DC-R05's colour to change through the live stream") {
                guard let now = try await mark(), let v = now.value else { return false }
                return now.fill != fillBefore && v >= valueBefore + 3
            }
            #expect(try await browser.execute("return window.dcagentMark;") == .number(42), "the same page, not reloaded")
            #expect(try await browser.find("#live-status")?.text.hasPrefix("langsung") == true)
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "floor-hot-spot"))
            try await browser.open(base + "/rooms/DC-H1?view=thermal")
            _ = try await browser.waitFor("#plan .thermal-probe")
            #expect(try await browser.findAll("#plan .thermal-probe").count == 4, "each inlet probe drawn as a measurement")
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "thermal"))

            // The event the hot spot raised: acknowledge it; its ticket link is there.
            // The inlet passes 27 °C a little after the colour has moved: the list is read again
            // until the event is there (a person presses reload).
            try await browser.open(base + "/events?rack=DC-R05")
            try await browser.waitUntil(timeout: .seconds(90), "the inlet-hot event of DC-R05 in the console") {
                if try await browser.find("#events-table a.event-link") != nil { return true }
                try await browser.refresh()
                return false
            }
            let link = try #require(try await browser.find("#events-table a.event-link"))
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "events"))
            try await link.click()
            let ack = try await browser.waitFor("#ack-button")
            try await #require(try await browser.find("#ack-note")).type("dicek di lantai")
            try await ack.click()
            try await browser.waitUntil("the acknowledgement") { try await browser.find("#event-ack")?.text.hasPrefix("demo") == true }
            try await browser.waitUntil(timeout: .seconds(30), "the ticket link") {
                if try await browser.find("#event-tickets a.ticket-link") != nil { return true }
                try await browser.refresh()
                return false
            }
            let ticket = try #require(try await browser.find("#event-tickets a.ticket-link"))
            let ticketText = try await ticket.text
            #expect(ticketText.hasPrefix("INC-"), "\(ticketText)")
            #expect(try await browser.find("#event-history")?.text.contains("dicek di lantai") == true)
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "event"))
            try await ticket.click()
            try await browser.waitUntil("the ticket page") { try await browser.find("#ticket-facts") != nil }
            #expect(try await browser.title.contains(ticketText))

            // The console is live: open on DC-R06 with nothing firing, a hot spot there, and the
            // event arrives in the list without a reload.
            try await browser.open(base + "/events?rack=DC-R06")
            _ = try await browser.waitFor("#events-live")
            #expect(try await browser.find("#events-table") == nil, "nothing fires on DC-R06 yet")
            _ = try await browser.execute("window.dcagentMark = 43; return true;")
            let inject2 = try await runProcess(
                DemoFlowTests.simBinary, ["inject", "hot-spot", "--rack", "DC-R06", "--magnitude", "12", "--state", dir.file("sim")])
            #expect(inject2.status == 0, "\(inject2.output)")
            try await browser.waitUntil(timeout: .seconds(90), "the DC-R06 event to arrive in the open console") {
                try await browser.find("#events-table a.event-link") != nil
            }
            #expect(try await browser.execute("return window.dcagentMark;") == .number(43), "the same page, not reloaded")

            // The rack: a move where it does not fit is refused by the fit check, live and on save.
            try await browser.open(base + "/racks/DC-R05")
            _ = try await browser.waitFor("#elevation svg")
            try await #require(try await browser.find("#move-device")).select(label: "DC-R05-SRV03")
            try await #require(try await browser.find("#move-to")).select(label: "DC-R06")
            try await #require(try await browser.find("#move-position")).type("30")
            try await browser.waitUntil("the live fit check") {
                try await browser.find("#fit-answer")?.text.contains("DC-R06-SRV01") == true
            }
            #expect(try await browser.find("#fit-answer")?.attribute("class") == "fit-bad")
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "rack-fit-check"))
            try await #require(try await browser.find("#move-submit")).click()
            let error = try await browser.waitFor("#edit-error")
            let errorText = try await error.text
            #expect(errorText.contains("DC-R06-SRV01"), "\(errorText)")
            #expect(try await error.attribute("data-field") == "position")
            #expect(try await browser.find("#move-position")?.attribute("aria-invalid") == "true")

            // A sensor's chart, and English on request.
            try await browser.open(base + "/sensors/DC-R05-TH1?range=hour&lang=en")
            let chart = try await browser.waitFor("#chart svg")
            let chartSource = try await browser.pageSource
            _ = chart
            #expect(chartSource.contains("Critical 40 °C"), "the threshold drawn with its label")
            #expect(try await browser.find("#chart-source")?.text.contains("raw readings") == true)
            _ = try await browser.screenshot(toFile: Self.shotPath(dir, "sensor"))
            try await browser.open(base + "/racks/NOPE")
            #expect(try await browser.find("#error-detail")?.text.contains("There is no rack NOPE") == true)

            // A tablet: the overview still fits its width (no horizontal scroll).
            try await browser.setViewportSize(width: 820, height: 1180)
            try await browser.open(base + "/")
            _ = try await browser.waitFor("#site-DC")
            #expect(try await browser.execute("return document.documentElement.scrollWidth <= window.innerWidth;") == .bool(true))
        } catch {
            await browser.quit()
            Issue.record("daemon log:\n\(daemon.log.suffix(4000))")
            throw error
        }
        await browser.quit()
        _ = sim
        #expect(try await daemon.stop() == 0)
    }
}
