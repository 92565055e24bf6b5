public import Foundation
import HTTPTypes
public import Hummingbird
import Mustache
public import Telemetry

/// Renders the pages: swift-mustache templates from `Resources/templates` (each page a child of
/// `layout.mustache`), the words from ``Translations``, times in a site's time zone. The
/// templates escape every `{{value}}`; only SVG the renderers built (which escape their own
/// text) goes in unescaped with `{{{…}}}`.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    public let translations: Translations
    /// Where the resources were read from (static files are served from `static/` below it).
    public let directory: String

    /// Where the pages' resources are: the directory `DCAGENT_WEB_RESOURCES` names; else the
    /// `Resources` folder of the bundle the build puts beside the executable
    /// (`DCAgent_DCAgentWeb.resources`, where `swift build` and `swift test` leave it); else
    /// `/usr/local/share/dcagent/web` or `/usr/share/dcagent/web` (an installation,
    /// docs/install.md). The first that holds `templates/layout.mustache` wins; when none does,
    /// the first is answered and ``load(directory:)`` says what is missing there. (Foundation's
    /// `Bundle.module` is not used: it stops the process when the bundle is not found.)
    public static func resourceDirectory() -> String {
        if let d = ProcessInfo.processInfo.environment["DCAGENT_WEB_RESOURCES"], !d.isEmpty { return d }
        var candidates: [String] = []
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            candidates.append(exe.appendingPathComponent("DCAgent_DCAgentWeb.resources/Resources").path)
        }
        candidates += ["/usr/local/share/dcagent/web", "/usr/share/dcagent/web"]
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/templates/layout.mustache") } ?? candidates[0]
    }

    /// Loads the templates and translations; a template that does not parse or a translations
    /// file that does not load is an error naming the file.
    public static func load(directory: String = resourceDirectory()) async throws -> PageRenderer {
        let templates = (directory as NSString).appendingPathComponent("templates")
        guard FileManager.default.fileExists(atPath: templates + "/layout.mustache") else {
            throw PageResourceError(
                "no templates in \(templates) (install the DCAgent_DCAgentWeb.resources folder beside the binary, or its Resources folder as /usr/local/share/dcagent/web, or set DCAGENT_WEB_RESOURCES; docs/install.md)")
        }
        let library: MustacheLibrary
        do { library = try await MustacheLibrary(directory: templates) } catch let e as MustacheLibrary.ParserError {
            throw PageResourceError("template \(e.filename): \(e.error) at line \(e.context.lineNumber)")
        }
        guard library.getTemplate(named: "layout") != nil else { throw PageResourceError("no layout.mustache in \(templates)") }
        let translations = try Translations.load(directory: (directory as NSString).appendingPathComponent("locales"))
        return PageRenderer(library: library, translations: translations, directory: directory)
    }

    /// The HTML of `template` with `data` and the page's common fields (`t`, `lang`, `user`,
    /// `csrf`, `title`, `nav_<name>`).
    func html(_ template: String, page: PageView, title: String, data: [String: Any]) -> String {
        var context = data
        context["t"] = translations.table(page.language)
        context["lang"] = page.language.rawValue
        context["title"] = title
        context["csrf"] = page.csrf ?? ""
        context["now"] = page.time(.now)
        context["time_zone"] = page.timeZone
        context["other_lang"] = page.language == .id ? "en" : "id"
        context["other_lang_name"] = translations.text("language_name", page.language == .id ? .en : .id)
        if let user = page.user {
            context["user"] = ["name": user, "role": page.role ?? ""]
        }
        context["nav_" + page.section] = true
        context["return_to"] = page.path
        return library.render(context, withTemplate: template) ?? ""
    }

    /// A page as an HTTP answer: HTML, not cached (it shows live state and who is logged in).
    func response(_ template: String, page: PageView, title: String, data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentLanguage] = page.language.rawValue
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html(template, page: page, title: title, data: data))))
    }
}

/// What every page knows about its request: the language, who is logged in, the session's CSRF
/// token (forms carry it), the site time zone, and which part of the navigation it is.
public struct PageView: Sendable {
    public var language: Language
    public var user: String?
    public var role: String?
    public var csrf: String?
    /// IANA name of the time zone times are shown in.
    public var timeZone: String
    /// The navigation entry to mark (`overview`, `floor`, `events`, `audit`…).
    public var section: String
    /// The request path and query (the language switch and the login come back here).
    public var path: String

    /// A time as the site reads it: `2026-12-07 21:05:03` in the page's time zone.
    public func time(_ t: Timestamp) -> String {
        let c = civil(t)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// A short time for chart ticks and lists: `12-07 21:05`.
    public func shortTime(_ t: Timestamp, withDate: Bool = true) -> String {
        let c = civil(t)
        let clock = String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
        return withDate ? String(format: "%02d-%02d ", c.month ?? 0, c.day ?? 0) + clock : clock
    }

    /// The civil date and time of `t` in the page's time zone. (A list of 300 events asks for
    /// several hundred times: a calendar value per call, not a formatter built each time.)
    private func civil(_ t: Timestamp) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        return calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    }
}
