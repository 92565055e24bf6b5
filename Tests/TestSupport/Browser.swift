import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The browser peer is not installed: the error says how to install it.
public struct BrowserNotInstalled: Error, CustomStringConvertible {
    /// The program that was looked for.
    public let path: String

    public var description: String {
        "\(path) not found: run scripts/bootstrap --test (it installs Debian's chromium and chromium-driver)"
    }
}

/// An error a WebDriver command answered (W3C WebDriver §6.6), or a failure to reach chromedriver.
public struct WebDriverError: Error, CustomStringConvertible {
    /// The W3C error code: `no such element`, `stale element reference`, `javascript error`,
    /// `invalid cookie domain`, `timeout`, … — or `unreachable` when chromedriver did not answer.
    public let code: String
    /// The message, without chromedriver's stack trace and session-info line.
    public let message: String
    /// The command: `POST /session/{id}/element`.
    public let command: String
    /// The HTTP status of the answer (0 when there was none).
    public let httpStatus: Int

    public var description: String { "WebDriver \(command): \(code) (HTTP \(httpStatus)): \(message)" }
}

/// A real headless Chromium driven through chromedriver over W3C WebDriver, for tests that use
/// the web pages as a person does: open a page, read it, click, type, choose, wait for the page
/// to change, take a screenshot.
///
/// ``start(width:height:language:chromium:chromedriver:timeout:)`` starts `chromedriver` as a
/// ``PeerProcess`` on a free loopback port (its log in a file; it listens on 127.0.0.1 and ::1
/// only, and accepts local clients only), waits until `GET /status` answers `ready: true`, and
/// opens a session with a new headless Chromium (`--headless=new --no-sandbox --disable-gpu
/// --disable-dev-shm-usage`, as root needs). ``quit()`` ends the session and stops chromedriver
/// and Chromium by their PIDs; both PIDs are also killed when the test process exits, so a
/// browser shared by a suite through ``SharedPeer`` needs no teardown (DESIGN decision 13).
///
/// Every command is plain HTTP to chromedriver on 127.0.0.1; a command that fails throws
/// ``WebDriverError`` with WebDriver's code and message.
public final class Browser: Sendable, CustomStringConvertible {
    /// Debian's Chromium launcher.
    public static let defaultChromium = "/usr/bin/chromium"
    /// Debian's chromedriver (package chromium-driver).
    public static let defaultChromedriver = "/usr/bin/chromedriver"
    /// The key of a web element reference in WebDriver's JSON.
    public static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// The WebDriver session.
    public let sessionID: String
    /// The browser's version, as the session reports it.
    public let browserVersion: String
    /// The chromedriver process (its log: ``logPath``).
    public let driver: PeerProcess
    /// Chromium's main process, as the session reports it (`goog:processID`).
    public let browserPID: Int32?
    /// chromedriver's port on 127.0.0.1.
    public let port: Int
    /// The directory holding the browser's profile, removed by ``quit()``.
    public let profileDirectory: String

    private let sessionURL: String
    private let commandTimeout: Duration
    private let state = QuitState()

    /// chromedriver's log (its own lines, and every command with its answer).
    public var logPath: String { driver.logPath }

    public var description: String { "Chromium \(browserVersion) (session \(sessionID), chromedriver on 127.0.0.1:\(port), log \(logPath))" }

    private init(
        sessionID: String, browserVersion: String, driver: PeerProcess, browserPID: Int32?, port: Int, profileDirectory: String,
        commandTimeout: Duration
    ) {
        self.sessionID = sessionID
        self.browserVersion = browserVersion
        self.driver = driver
        self.browserPID = browserPID
        self.port = port
        self.profileDirectory = profileDirectory
        self.sessionURL = "http://127.0.0.1:\(port)/session/\(sessionID)"
        self.commandTimeout = commandTimeout
    }

    // MARK: Start and stop

    /// Starts chromedriver and a headless Chromium with a `width`×`height` window (the viewport
    /// is smaller by the window's frame: see ``setViewportSize(width:height:)``). `language`
    /// (`"id"`, `"en-GB"`) sets the UI language and the `Accept-Language` the browser sends.
    /// Throws ``BrowserNotInstalled`` when a program is missing, ``PeerStartError`` when
    /// chromedriver does not start, ``WaitTimedOut`` when it is not ready within `timeout`, and
    /// ``WebDriverError`` when the session cannot be created.
    public static func start(
        width: Int = 1366, height: Int = 768, language: String? = nil,
        chromium: String = defaultChromium, chromedriver: String = defaultChromedriver,
        timeout: Duration = .seconds(30), commandTimeout: Duration = .seconds(90)
    ) async throws -> Browser {
        for program in [chromium, chromedriver] where !FileManager.default.isExecutableFile(atPath: program) {
            throw BrowserNotInstalled(path: program)
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-browser-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)

        // Without --allowed-ips chromedriver listens on loopback only (with it, on every
        // interface) and accepts local clients only. INFO logs every command and its answer.
        var driver: PeerProcess?
        var port = 0
        var lastError: (any Error)?
        for _ in 0..<3 where driver == nil {  // the free port may be taken before chromedriver binds it
            port = FreePort.tcp()
            do {
                driver = try await PeerProcess.start(
                    name: "chromedriver", executable: chromedriver,
                    arguments: ["--port=\(port)", "--log-level=INFO", "--readable-timestamp"],
                    readiness: .tcpConnect(port: port), timeout: timeout)
            } catch {
                lastError = error
            }
        }
        guard let driver else { throw lastError ?? WaitTimedOut(description: "chromedriver did not start") }

        do {
            try await boundedWait(timeout: timeout, poll: .milliseconds(50), "chromedriver on 127.0.0.1:\(port) to answer GET /status with ready: true") {
                guard driver.isRunning else {
                    throw PeerStartError(reason: "chromedriver exited before it was ready", logPath: driver.logPath, logTail: driver.logTail())
                }
                let status = try? await Self.request(.GET, "http://127.0.0.1:\(port)/status", nil, timeout: .seconds(5))
                return status?["ready"]?.bool == true
            }

            var args = [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=\(width),\(height)", "--user-data-dir=\(profile)/profile",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            ]
            var options: [String: JSONValue] = ["binary": .string(chromium)]
            if let language {
                args.append("--lang=\(language)")
                options["prefs"] = ["intl.accept_languages": .string(language)]
            }
            options["args"] = .array(args.map { .string($0) })
            let capabilities: JSONValue = [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": .object(options),
                        "timeouts": ["implicit": 0, "pageLoad": 60_000, "script": 30_000],
                        "unhandledPromptBehavior": "ignore",
                    ]
                ]
            ]
            let answer = try await Self.request(.POST, "http://127.0.0.1:\(port)/session", capabilities, timeout: commandTimeout)
            guard let id = answer["sessionId"]?.string else {
                throw WebDriverError(
                    code: "session not created", message: "no sessionId in \(answer.jsonText.prefix(500))", command: "POST /session",
                    httpStatus: 200)
            }
            let caps = answer["capabilities"]
            let pid = caps?["goog:processID"]?.int.map { Int32($0) }
            if let pid { PeerRegistry.shared.add(pid) }
            return Browser(
                sessionID: id, browserVersion: caps?["browserVersion"]?.string ?? "?", driver: driver, browserPID: pid, port: port,
                profileDirectory: profile, commandTimeout: commandTimeout)
        } catch {
            driver.stop()
            try? FileManager.default.removeItem(atPath: profile)
            throw error
        }
    }

    /// Ends the session (Chromium quits), stops chromedriver by its PID, kills Chromium's main
    /// process by its PID if it is still there, and removes the profile. Safe to call twice.
    ///
    /// chromedriver is asked to exit with `GET /shutdown` before its PID is signalled: a child
    /// started from a task inherits the pool thread's blocked signals, so SIGTERM would not
    /// reach it and ``PeerProcess/stop(grace:)`` would wait its grace out before SIGKILL.
    public func quit() async {
        guard state.markQuit() else { return }
        _ = try? await Self.request(.DELETE, sessionURL, nil, timeout: .seconds(15))
        _ = try? await Self.request(.GET, "http://127.0.0.1:\(port)/shutdown", nil, timeout: .seconds(5))
        try? await boundedWait(timeout: .seconds(3), poll: .milliseconds(20), "chromedriver to exit") { !self.driver.isRunning }
        driver.stop()
        if let pid = browserPID {
            PeerRegistry.shared.remove(pid)
            if Self.isChromium(pid) { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: profileDirectory)
    }

    /// True while the process `pid` exists and is a Chromium (a PID is never signalled after
    /// it was reused by something else).
    private static func isChromium(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0, let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return false }
        return comm.hasPrefix("chrom")
    }

    // MARK: Navigation

    /// Opens `url` and returns when the page has loaded (its `load` event).
    public func open(_ url: String) async throws { _ = try await command(.POST, "/url", ["url": .string(url)]) }

    /// Opens `url` and returns when the page has loaded.
    public func open(_ url: URL) async throws { try await open(url.absoluteString) }

    /// The URL of the page shown now.
    public var currentURL: String {
        get async throws { try await command(.GET, "/url").string ?? "" }
    }

    /// The page's title.
    public var title: String {
        get async throws { try await command(.GET, "/title").string ?? "" }
    }

    /// The page's HTML as the browser holds it now (the DOM serialised, scripts' changes included).
    public var pageSource: String {
        get async throws { try await command(.GET, "/source").string ?? "" }
    }

    /// Goes back in the history, as the browser's Back button does.
    public func back() async throws { _ = try await command(.POST, "/back", [:]) }
    /// Goes forward in the history.
    public func forward() async throws { _ = try await command(.POST, "/forward", [:]) }
    /// Reloads the page.
    public func refresh() async throws { _ = try await command(.POST, "/refresh", [:]) }

    // MARK: Finding elements

    /// The first element matching the CSS `selector` now, or nil when none does.
    public func find(_ selector: String) async throws -> Element? {
        try await Self.find(selector, from: "", in: self)
    }

    /// Every element matching the CSS `selector` now, in document order.
    public func findAll(_ selector: String) async throws -> [Element] {
        try await Self.findAll(selector, from: "", in: self)
    }

    /// Waits until an element matches `selector` (and, when `visible`, is displayed), polling the
    /// page; throws ``WaitTimedOut`` naming the selector and the page's URL after `timeout`.
    @discardableResult
    public func waitFor(_ selector: String, visible: Bool = false, timeout: Duration = .seconds(10)) async throws -> Element {
        var found: Element?
        try await waitUntil(timeout: timeout, "an element matching \(selector)\(visible ? " to be displayed" : "")") {
            guard let e = try await self.find(selector) else { return false }
            if visible, try await !e.isDisplayed { return false }
            found = e
            return true
        }
        return found!
    }

    /// Waits until `condition` holds, checking it every `poll`; throws ``WaitTimedOut`` naming
    /// `what` and the page's URL after `timeout`. A `stale element reference` or `no such element`
    /// error inside the condition (the page changed under it) counts as "not yet".
    public func waitUntil(
        timeout: Duration = .seconds(10), poll: Duration = .milliseconds(100),
        _ what: @autoclosure () -> String = "a condition on the page", _ condition: () async throws -> Bool
    ) async throws {
        do {
            try await boundedWait(timeout: timeout, poll: poll, what()) {
                do {
                    return try await condition()
                } catch let error as WebDriverError where ["stale element reference", "no such element"].contains(error.code) {
                    return false
                }
            }
        } catch let error as WaitTimedOut {
            let url = (try? await currentURL) ?? "?"
            throw WaitTimedOut(description: "\(error.description) on \(url)")
        }
    }

    // MARK: Scripts

    /// Runs `script` as the body of a function in the page (`return` gives the result) with
    /// `arguments` (``Element/json`` passes an element) and returns what it returned as JSON
    /// (an element comes back as `{"element-6066-…": id}`: ``element(_:)`` turns it into one).
    /// A script that throws answers `javascript error`.
    @discardableResult
    public func execute(_ script: String, _ arguments: [JSONValue] = []) async throws -> JSONValue {
        try await command(.POST, "/execute/sync", ["script": .string(script), "args": .array(arguments)])
    }

    /// Runs `script` as ``execute(_:_:)`` does, and waits until it calls its last argument (the
    /// callback: `arguments[arguments.length - 1](result)`), bounded by the session's script timeout (30 s).
    @discardableResult
    public func executeAsync(_ script: String, _ arguments: [JSONValue] = []) async throws -> JSONValue {
        try await command(.POST, "/execute/async", ["script": .string(script), "args": .array(arguments)])
    }

    /// The element a script returned, or nil when `value` is not an element reference.
    public func element(_ value: JSONValue) -> Element? {
        value[Self.elementKey]?.string.map { Element(id: $0, browser: self) }
    }

    // MARK: Window and screenshots

    /// Sets the browser window's outer size (the viewport is smaller by the window's frame).
    public func setWindowSize(width: Int, height: Int) async throws {
        _ = try await command(.POST, "/window/rect", ["width": .number(Double(width)), "height": .number(Double(height))])
    }

    /// The browser window's outer size.
    public var windowSize: (width: Int, height: Int) {
        get async throws {
            let rect = try await command(.GET, "/window/rect")
            return (rect["width"]?.int ?? 0, rect["height"]?.int ?? 0)
        }
    }

    /// The page's viewport: `window.innerWidth` × `window.innerHeight`, the size of a screenshot.
    public var viewportSize: (width: Int, height: Int) {
        get async throws {
            let v = try await execute("return [window.innerWidth, window.innerHeight]")
            return (v[0]?.int ?? 0, v[1]?.int ?? 0)
        }
    }

    /// Resizes the window so that the viewport (what a screenshot shows) is `width`×`height`:
    /// headless Chromium's window keeps room for a frame, so a 1366×768 window shows a
    /// 1366×625 page. Throws when the window cannot be made to fit.
    public func setViewportSize(width: Int, height: Int) async throws {
        for _ in 0..<3 {
            let now = try await viewportSize
            if now == (width, height) { return }
            let window = try await windowSize
            try await setWindowSize(width: window.width + width - now.width, height: window.height + height - now.height)
        }
        let now = try await viewportSize
        guard now == (width, height) else {
            throw WebDriverError(
                code: "unable to set window rect", message: "viewport is \(now.width)×\(now.height), wanted \(width)×\(height)",
                command: "setViewportSize", httpStatus: 0)
        }
    }

    /// A PNG of the viewport.
    public func screenshot() async throws -> Data {
        try Self.decodePNG(try await command(.GET, "/screenshot"), command: "GET /screenshot")
    }

    /// Writes a PNG of the viewport to `path` (creating its directory) and returns its bytes.
    @discardableResult
    public func screenshot(toFile path: String) async throws -> Data {
        let png = try await screenshot()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try png.write(to: URL(fileURLWithPath: path))
        return png
    }

    static func decodePNG(_ value: JSONValue, command: String) throws -> Data {
        guard let text = value.string, let png = Data(base64Encoded: text) else {
            throw WebDriverError(code: "unknown error", message: "the screenshot is not base64 text", command: command, httpStatus: 200)
        }
        return png
    }

    // MARK: Cookies

    /// A cookie as WebDriver describes it (§14.1).
    public struct Cookie: Sendable, Hashable, Codable {
        public var name: String
        public var value: String
        public var path: String?
        public var domain: String?
        public var secure: Bool?
        public var httpOnly: Bool?
        /// Seconds since the epoch; nil for a session cookie.
        public var expiry: Int?
        /// `Lax`, `Strict` or `None`.
        public var sameSite: String?

        public init(
            name: String, value: String, path: String? = nil, domain: String? = nil, secure: Bool? = nil, httpOnly: Bool? = nil,
            expiry: Int? = nil, sameSite: String? = nil
        ) {
            self.name = name
            self.value = value
            self.path = path
            self.domain = domain
            self.secure = secure
            self.httpOnly = httpOnly
            self.expiry = expiry
            self.sameSite = sameSite
        }
    }

    /// Sets a cookie for the page shown now: a page of the cookie's domain must be open first
    /// (else `invalid cookie domain`).
    public func addCookie(_ cookie: Cookie) async throws {
        let json = try JSONValue(parsing: JSONEncoder().encode(cookie))
        _ = try await command(.POST, "/cookie", ["cookie": json])
    }

    /// The cookies the page shown now can see (HttpOnly ones included).
    public func cookies() async throws -> [Cookie] {
        let value = try await command(.GET, "/cookie")
        return try JSONDecoder().decode([Cookie].self, from: Data(value.jsonText.utf8))
    }

    /// The cookie called `name`, or nil.
    public func cookie(named name: String) async throws -> Cookie? {
        try await cookies().first { $0.name == name }
    }

    /// Deletes every cookie the page shown now can see.
    public func deleteCookies() async throws { _ = try await command(.DELETE, "/cookie") }

    // MARK: Dialogs

    /// The text of the `alert`, `confirm` or `prompt` dialog shown now (`no such alert` if none).
    public var alertText: String {
        get async throws { try await command(.GET, "/alert/text").string ?? "" }
    }

    /// Presses OK on the dialog shown now.
    public func acceptAlert() async throws { _ = try await command(.POST, "/alert/accept", [:]) }

    /// Presses Cancel on the dialog shown now.
    public func dismissAlert() async throws { _ = try await command(.POST, "/alert/dismiss", [:]) }

    // MARK: Elements

    /// An element of the page, found by ``find(_:)``, ``findAll(_:)`` or ``waitFor(_:visible:timeout:)``.
    /// It goes stale when the page replaces it (`stale element reference`).
    public struct Element: Sendable, CustomStringConvertible {
        /// WebDriver's reference to the element.
        public let id: String
        /// The browser that found it.
        public let browser: Browser

        /// The element as a script argument.
        public var json: JSONValue { [Browser.elementKey: .string(id)] }

        public var description: String { "element \(id)" }

        private func command(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
            try await browser.command(method, "/element/\(id)" + path, body)
        }

        /// The text a person sees in it (rendered text: hidden parts left out, whitespace as shown).
        public var text: String {
            get async throws { try await command(.GET, "/text").string ?? "" }
        }

        /// The element's tag name, lower case.
        public var tagName: String {
            get async throws { try await command(.GET, "/name").string ?? "" }
        }

        /// The current value of a form field (its `value` property: what was typed, not the HTML attribute).
        public var value: String {
            get async throws { try await property("value").string ?? "" }
        }

        /// True when a person could see it (not `display: none`, not hidden, not zero-sized).
        public var isDisplayed: Bool {
            get async throws { try await command(.GET, "/displayed").bool ?? false }
        }

        /// True for a form control that is not disabled.
        public var isEnabled: Bool {
            get async throws { try await command(.GET, "/enabled").bool ?? false }
        }

        /// True for a checked checkbox or radio button, or a selected option.
        public var isSelected: Bool {
            get async throws { try await command(.GET, "/selected").bool ?? false }
        }

        /// The HTML attribute `name` (as the markup or a script set it), or nil when absent.
        public func attribute(_ name: String) async throws -> String? {
            try await command(.GET, "/attribute/\(name)").string
        }

        /// The DOM property `name` (`value`, `checked`, `selectedIndex`, …) as JSON.
        public func property(_ name: String) async throws -> JSONValue {
            try await command(.GET, "/property/\(name)")
        }

        /// The computed value of the CSS property `name` (`color` → `rgba(…)`).
        public func cssValue(_ name: String) async throws -> String {
            try await command(.GET, "/css/\(name)").string ?? ""
        }

        /// Clicks it as a person would: scrolled into view, at its centre; `element not interactable`
        /// or `element click intercepted` when a person could not click it.
        public func click() async throws { _ = try await command(.POST, "/click", [:]) }

        /// Types `text` into it, key by key, after what it holds (``clear()`` first to replace).
        /// `"\u{E007}"` is Enter.
        public func type(_ text: String) async throws { _ = try await command(.POST, "/value", ["text": .string(text)]) }

        /// Empties an input or a textarea.
        public func clear() async throws { _ = try await command(.POST, "/clear", [:]) }

        /// Chooses, in this `<select>`, the option whose visible text is `label` (trimmed), by
        /// clicking it; throws `no such element` when there is none.
        public func select(label: String) async throws {
            for option in try await findAll("option") {
                if try await option.text.trimmingCharacters(in: .whitespacesAndNewlines) == label {
                    try await option.click()
                    return
                }
            }
            throw WebDriverError(
                code: "no such element", message: "no <option> labelled \(label) in \(self)", command: "select(label:)", httpStatus: 0)
        }

        /// Chooses, in this `<select>`, the option whose `value` is `value`, by clicking it.
        public func select(value: String) async throws {
            for option in try await findAll("option") {
                if try await option.property("value").string == value {
                    try await option.click()
                    return
                }
            }
            throw WebDriverError(
                code: "no such element", message: "no <option> with value \(value) in \(self)", command: "select(value:)", httpStatus: 0)
        }

        /// The first element inside this one matching the CSS `selector`, or nil.
        public func find(_ selector: String) async throws -> Element? {
            try await Browser.find(selector, from: "/element/\(id)", in: browser)
        }

        /// Every element inside this one matching the CSS `selector`.
        public func findAll(_ selector: String) async throws -> [Element] {
            try await Browser.findAll(selector, from: "/element/\(id)", in: browser)
        }

        /// A PNG of just this element.
        public func screenshot() async throws -> Data {
            try Browser.decodePNG(try await command(.GET, "/screenshot"), command: "GET element screenshot")
        }
    }

    private static func find(_ selector: String, from scope: String, in browser: Browser) async throws -> Element? {
        do {
            let value = try await browser.command(.POST, scope + "/element", ["using": "css selector", "value": .string(selector)])
            return browser.element(value)
        } catch let error as WebDriverError where error.code == "no such element" {
            return nil
        }
    }

    private static func findAll(_ selector: String, from scope: String, in browser: Browser) async throws -> [Element] {
        let value = try await browser.command(.POST, scope + "/elements", ["using": "css selector", "value": .string(selector)])
        return (value.array ?? []).compactMap { browser.element($0) }
    }

    // MARK: Wire

    /// Sends a command of this session (`path` after `/session/{id}`) and returns its `value`.
    /// Fails at once after ``quit()`` or when chromedriver has exited (HTTPClient would retry
    /// the refused connection until the command's deadline).
    func command(_ method: HTTPMethod, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let shown = "\(method.rawValue) /session/\(sessionID)\(path)"
        if state.isQuit {
            throw WebDriverError(code: "unreachable", message: "the browser was quit", command: shown, httpStatus: 0)
        }
        guard driver.isRunning else {
            throw WebDriverError(
                code: "unreachable", message: "chromedriver has exited; its log \(logPath) ends:\n\(driver.logTail(lines: 10))",
                command: shown, httpStatus: 0)
        }
        return try await Self.request(method, sessionURL + path, body, timeout: commandTimeout)
    }

    /// One WebDriver request: JSON in, `{"value": …}` out; an answer whose value holds `error`
    /// throws ``WebDriverError``.
    private static func request(_ method: HTTPMethod, _ url: String, _ body: JSONValue?, timeout: Duration) async throws -> JSONValue {
        let shown = "\(method.rawValue) \(url.replacingOccurrences(of: #"^http://127\.0\.0\.1:\d+"#, with: "", options: .regularExpression))"
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(string: body.jsonText))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout / .milliseconds(1))))
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw WebDriverError(code: "unreachable", message: "\(error)", command: shown, httpStatus: 0)
        }
        let text = String(buffer: bytes)
        guard let answer = try? JSONValue(parsing: Data(text.utf8)) else {
            throw WebDriverError(code: "unknown error", message: "not JSON: \(text.prefix(500))", command: shown, httpStatus: status)
        }
        let value = answer["value"] ?? .null
        if let code = value["error"]?.string {
            var message = value["message"]?.string ?? ""
            if let cut = message.range(of: "\n  (Session info:") { message = String(message[..<cut.lowerBound]) }
            throw WebDriverError(code: code, message: message, command: shown, httpStatus: status)
        }
        guard (200..<300).contains(status) else {
            throw WebDriverError(code: "unknown error", message: text.prefix(500).description, command: shown, httpStatus: status)
        }
        return value
    }
}

/// Whether ``Browser/quit()`` ran.
private final class QuitState: @unchecked Sendable {
    private let lock = NSLock()
    private var quit = false

    var isQuit: Bool { lock.withLock { quit } }

    /// Marks the browser quit; false when it already was.
    func markQuit() -> Bool {
        lock.withLock {
            if quit { return false }
            quit = true
            return true
        }
    }
}

/// The shared bounded wait (WaitUntil.swift), under a name that ``Browser``'s own
/// ``Browser/waitUntil(timeout:poll:_:_:)`` does not hide.
private func boundedWait(
    timeout: Duration, poll: Duration, _ what: @autoclosure () -> String, _ condition: () async throws -> Bool
) async throws {
    try await waitUntil(timeout: timeout, poll: poll, what(), condition)
}
