import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The headless-browser test peer (TestSupport's ``Browser``) against a small page served in
/// process on a free loopback port: the page has a button whose script changes a text after a
/// moment, a timer that counts, a form that posts to the server, and a cookie the server sets.
/// The browser and the page server are one each per test run (DESIGN decision 13).
@Suite("Browser peer: headless Chromium through chromedriver", .serialized, .timeLimit(.minutes(5)))
struct BrowserPeerTests {
    static let browser = SharedPeer { try await Browser.start() }
    static let server = SharedPeer { try await BrowserPeerPageServer.start() }

    @Test("opens a page, reads it, clicks, waits for the script's change, types, chooses and posts the form")
    func usesThePageAsAPersonDoes() async throws {
        let browser = try await Self.browser.get()
        let server = try await Self.server.get()
        try await browser.open(server.url("/"))

        #expect(try await browser.title == "Browser peer check")
        #expect(try await browser.currentURL == server.url("/"))
        let heading = try #require(try await browser.find("h1#heading"))
        #expect(try await heading.text == "DC floor — browser peer check")
        #expect(try await heading.tagName == "h1")

        // The button's script changes the status after 300 ms; the test waits for it within a
        // bound. (It does not check "still waiting" right after the click: on a loaded machine
        // the click's round trip can take longer than the script's 300 ms.)
        let status = try #require(try await browser.find("#status"))
        #expect(try await status.text == "waiting")
        let acknowledge = try #require(try await browser.find("#acknowledge"))
        try await acknowledge.click()
        try await browser.waitUntil(timeout: .seconds(10), "the status to read acknowledged") {
            try await status.text == "acknowledged by operator"
        }

        // A timer (no EventSource) counts every 200 ms.
        let ticks = try #require(try await browser.find("#ticks"))
        let first = try #require(Int(try await ticks.text))
        try await browser.waitUntil(timeout: .seconds(10), "the timer to count 3 more ticks") {
            (Int(try await ticks.text) ?? 0) >= first + 3
        }

        // Typing, reading back, clearing, typing again.
        let name = try #require(try await browser.find("input#name"))
        try await name.type("Ayu")
        #expect(try await name.value == "Ayu")
        try await name.type(" Lestari")
        #expect(try await name.value == "Ayu Lestari")
        #expect(try await name.attribute("value") == "", "the HTML attribute stays as served; the property holds what was typed")
        try await name.clear()
        #expect(try await name.value == "")
        try await name.type("Budi Santoso")

        // Choosing an option by its label and by its value.
        let room = try #require(try await browser.find("select#room"))
        #expect(try await room.value == "DC-H1")
        try await room.select(label: "Hall 2")
        #expect(try await room.value == "DC-H2")
        let hall2 = try #require(try await room.find("option[value='DC-H2']"))
        #expect(try await hall2.isSelected)
        try await room.select(value: "DC-H3")
        #expect(try await room.value == "DC-H3")
        #expect(try await browser.findAll("select#room option").count == 3)

        // Submitting posts the form to the server, which answers with what it received.
        let signIn = try #require(try await browser.find("#sign-in"))
        try await signIn.click()
        let visitor = try await browser.waitFor("#visitor", visible: true)
        #expect(try await visitor.text == "Budi Santoso")
        #expect(try await browser.find("#visit-room")?.text == "DC-H3")
        #expect(try await browser.title == "Signed in")
        #expect(try await browser.currentURL == server.url("/visit"))
        try await browser.back()
        try await browser.waitFor("#acknowledge")
        #expect(try await browser.title == "Browser peer check")
    }

    @Test("takes a 1366×768 screenshot that is a PNG of the page")
    func screenshot() async throws {
        let browser = try await Self.browser.get()
        let server = try await Self.server.get()
        try await browser.setViewportSize(width: 1366, height: 768)
        let viewport = try await browser.viewportSize
        #expect(viewport.width == 1366 && viewport.height == 768, "\(viewport)")

        try await browser.open("about:blank")
        let blank = try await browser.screenshot()
        try await browser.open(server.url("/"))
        try await browser.waitFor("#heading", visible: true)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-browser-peer-check.png").path
        try? FileManager.default.removeItem(atPath: path)
        let png = try await browser.screenshot(toFile: path)

        #expect(Array(png.prefix(8)) == PNGHeader.signature)
        let header = try PNGHeader(png)
        #expect(header.width == 1366)
        #expect(header.height == 768)
        #expect(FileManager.default.contents(atPath: path) == png, "the file holds the PNG the browser answered")
        #expect(try PNGHeader(contentsOfFile: path) == header)
        // A blank page compresses to almost nothing; the page's text and panels do not.
        #expect(png.count > blank.count + 5_000, "page \(png.count) bytes, blank \(blank.count) bytes")

        let heading = try #require(try await browser.find("#heading"))
        let shot = try PNGHeader(try await heading.screenshot())
        #expect(shot.width > 100 && shot.width < 1366, "\(shot)")
        #expect(shot.height > 10 && shot.height < 200, "\(shot)")

        // Not a PNG: the header check fails with a reason.
        #expect(throws: PNGHeader.Invalid.self) { try PNGHeader(Data("<html>".utf8)) }
        #expect(throws: PNGHeader.Invalid.self) { try PNGHeader(Data(png.prefix(20))) }
    }

    @Test("cookies: the server's HttpOnly cookie is seen, one added here is sent back")
    func cookies() async throws {
        let browser = try await Self.browser.get()
        let server = try await Self.server.get()
        try await browser.deleteCookies()
        try await browser.open(server.url("/"))

        let site = try #require(try await browser.cookie(named: "site"))
        #expect(site.value == "DC")
        #expect(site.httpOnly == true)
        #expect(try await browser.execute("return document.cookie").string == "", "an HttpOnly cookie is hidden from scripts")

        try await browser.addCookie(.init(name: "theme", value: "dark", path: "/"))
        #expect(try await browser.cookie(named: "theme")?.value == "dark")
        try await browser.refresh()
        let cookieHeader = try #require(try await browser.find("#cookie-header"))
        let sent = try await cookieHeader.text
        #expect(sent.contains("theme=dark"), "\(sent)")
        #expect(sent.contains("site=DC"), "\(sent)")

        try await browser.deleteCookies()
        #expect(try await browser.cookies().isEmpty)
    }

    @Test("scripts: arguments in, JSON out, elements both ways, the callback of an async script")
    func scripts() async throws {
        let browser = try await Self.browser.get()
        let server = try await Self.server.get()
        try await browser.open(server.url("/"))

        let value = try await browser.execute("return {sum: arguments[0] + arguments[1], list: [true, null, 'x']}", [40, 2])
        #expect(value["sum"]?.int == 42)
        #expect(value["list"] == [true, nil, "x"])

        let heading = try #require(try await browser.find("#heading"))
        #expect(try await browser.execute("return arguments[0].id", [heading.json]).string == "heading")
        let returned = try #require(browser.element(try await browser.execute("return document.querySelector('#status')")))
        #expect(try await returned.text == "waiting")

        let later = try await browser.executeAsync("const done = arguments[arguments.length - 1]; setTimeout(() => done(7 * 6), 50)")
        #expect(later.int == 42)
    }

    @Test("errors carry WebDriver's code: missing elements, hidden ones, failing scripts, waits that run out")
    func errors() async throws {
        let browser = try await Self.browser.get()
        let server = try await Self.server.get()
        try await browser.open(server.url("/"))

        #expect(try await browser.find("#no-such-thing") == nil)
        #expect(try await browser.findAll(".no-such-class").isEmpty)

        let hidden = try #require(try await browser.find("#hidden"))
        #expect(try await !hidden.isDisplayed)
        let notInteractable = await #expect(throws: WebDriverError.self) { try await hidden.click() }
        #expect(notInteractable?.code == "element not interactable", "\(String(describing: notInteractable))")

        let thrown = await #expect(throws: WebDriverError.self) { try await browser.execute("throw new Error('boom')") }
        #expect(thrown?.code == "javascript error")
        #expect(thrown?.message.contains("boom") == true, "\(String(describing: thrown))")
        #expect(thrown?.message.contains("Session info") == false)

        let clock = ContinuousClock()
        let start = clock.now
        let timedOut = await #expect(throws: WaitTimedOut.self) {
            try await browser.waitFor("#never-there", timeout: .milliseconds(600))
        }
        #expect(clock.now - start < .seconds(5), "the wait is bounded")
        #expect(timedOut?.description.contains("#never-there") == true)
        #expect(timedOut?.description.contains(server.url("/")) == true, "\(String(describing: timedOut))")

        let select = try #require(try await browser.find("select#room"))
        let noOption = await #expect(throws: WebDriverError.self) { try await select.select(label: "Hall 9") }
        #expect(noOption?.code == "no such element")

        // An element of a page left behind goes stale.
        try await browser.open(server.url("/visit-form-missing"))
        let stale = await #expect(throws: WebDriverError.self) { _ = try await hidden.text }
        #expect(stale?.code == "stale element reference" || stale?.code == "no such element", "\(String(describing: stale))")
    }

    @Test("a missing program says to run scripts/bootstrap --test")
    func missingProgram() async throws {
        let error = await #expect(throws: BrowserNotInstalled.self) {
            try await Browser.start(chromedriver: "/nonexistent/chromedriver")
        }
        #expect(error?.description.contains("/nonexistent/chromedriver") == true)
        #expect(error?.description.contains("scripts/bootstrap --test") == true)
        let noChromium = await #expect(throws: BrowserNotInstalled.self) {
            try await Browser.start(chromium: "/nonexistent/chromium")
        }
        #expect(noChromium?.path == "/nonexistent/chromium")
    }

    @Test("a browser of its own: the language it asks pages in, and quit stops chromedriver and Chromium by PID")
    func languageAndQuit() async throws {
        let server = try await Self.server.get()
        let browser = try await Browser.start(width: 1024, height: 700, language: "id")
        let pid = try #require(browser.browserPID)
        do {
            #expect(kill(pid, 0) == 0, "Chromium runs")
            #expect(browser.driver.isRunning)
            try await browser.open(server.url("/"))
            let langLine = try #require(try await browser.find("#lang"))
            let lang = try await langLine.text
            #expect(lang.hasPrefix("Accept-Language: id"), "\(lang)")
            let window = try await browser.windowSize
            #expect(window.width == 1024 && window.height == 700, "\(window)")
        } catch {
            await browser.quit()
            throw error
        }
        let quitting = ContinuousClock.now
        await browser.quit()
        #expect(ContinuousClock.now - quitting < .seconds(3), "chromedriver exits when asked, without waiting for SIGKILL")
        await browser.quit()  // twice is harmless
        #expect(!browser.driver.isRunning)
        try await waitUntil(timeout: .seconds(10), "Chromium \(pid) to exit") { kill(pid, 0) != 0 || Self.isZombie(pid) }
        #expect(!FileManager.default.fileExists(atPath: browser.profileDirectory))
        let clock = ContinuousClock()
        let asked = clock.now
        let gone = await #expect(throws: WebDriverError.self) { _ = try await browser.title }
        #expect(gone?.code == "unreachable")
        #expect(clock.now - asked < .seconds(1), "a command after quit fails at once")
    }

    /// True when `pid` has exited and waits for its parent to reap it.
    static func isZombie(_ pid: Int32) -> Bool {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true
    }
}

/// The page the browser peer is checked against, served by Hummingbird on 127.0.0.1.
final class BrowserPeerPageServer: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    static func start() async throws -> BrowserPeerPageServer {
        let port = FreePort.tcp()
        let router = Router()
        router.get("/") { request, _ -> Response in
            let language = request.headers[.acceptLanguage] ?? "(none)"
            let cookie = request.headers[.cookie] ?? "(none)"
            var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
            headers[.setCookie] = "site=DC; Path=/; HttpOnly; SameSite=Lax"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page(language: language, cookie: cookie))))
        }
        router.post("/visit") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let form = formFields(String(buffer: body))
            let html = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed in</title></head>
                <body><p>Signed in: <span id="visitor">\(escape(form["name"] ?? ""))</span>
                in <span id="visit-room">\(escape(form["room"] ?? ""))</span></p></body></html>
                """
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        var logger = Logger(label: "browser-peer-page")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let task = Task { try await app.run() }
        do {
            try await waitUntil(timeout: .seconds(20), "the page server on 127.0.0.1:\(port)") { FreePort.acceptsTCP(port) }
        } catch {
            task.cancel()
            throw error
        }
        return BrowserPeerPageServer(port: port, task: task)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }

    static func page(language: String, cookie: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Browser peer check</title>
        <style>
          html { font-family: "DejaVu Sans", sans-serif; }
          body { margin: 24px; background: #eef2f5; color: #1b2733; }
          h1 { font-size: 24px; margin: 0 0 16px; }
          .panel { background: #fff; border: 1px solid #c5ced6; border-radius: 6px; padding: 12px 16px; margin-bottom: 12px; width: 600px; }
          #status { font-weight: bold; color: #b03a2e; }
          #status.done { color: #1e7b34; }
          button { font-size: 15px; padding: 6px 14px; }
          label { display: block; margin: 6px 0; }
          .meta { color: #556; font-size: 13px; }
        </style>
        </head>
        <body>
        <h1 id="heading">DC floor — browser peer check</h1>
        <div class="panel">
          <p>Status: <span id="status">waiting</span></p>
          <button id="acknowledge" type="button">Acknowledge</button>
        </div>
        <div class="panel"><p>Ticks: <span id="ticks">0</span></p></div>
        <form id="visit" class="panel" method="post" action="/visit">
          <label>Name <input id="name" name="name" value=""></label>
          <label>Room
            <select id="room" name="room">
              <option value="DC-H1">Hall 1</option>
              <option value="DC-H2">Hall 2</option>
              <option value="DC-H3">Hall 3</option>
            </select>
          </label>
          <button id="sign-in" type="submit">Sign in</button>
        </form>
        <p class="meta" id="lang">Accept-Language: \(escape(language))</p>
        <p class="meta" id="cookie-header">Cookie: \(escape(cookie))</p>
        <p id="hidden" style="display: none">hidden</p>
        <script>
          document.getElementById("acknowledge").addEventListener("click", () => {
            setTimeout(() => {
              const s = document.getElementById("status");
              s.textContent = "acknowledged by operator";
              s.className = "done";
            }, 300);
          });
          let ticks = 0;
          setInterval(() => { ticks += 1; document.getElementById("ticks").textContent = String(ticks); }, 200);
        </script>
        </body>
        </html>
        """
    }
}
