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

    /// The resources shipped with this module, or the directory `DCAGENT_WEB_RESOURCES` names
    /// (an installation that keeps them elsewhere).
    public static func resourceDirectory() -> String {
        if let d = ProcessInfo.processInfo.environment["DCAGENT_WEB_RESOURCES"], !d.isEmpty { return d }
        // The bundle holds the folder `Resources`; Foundation on Linux may already answer that
        // folder as the bundle's resource URL (it looks like a macOS bundle's), or the bundle.
        let candidates = [Bundle.module.bundleURL.appendingPathComponent("Resources"), Bundle.module.resourceURL].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("templates/layout.mustache").path) }?.path
            ?? candidates[0].path
    }

    /// Loads the templates and translations; a template that does not parse or a translations
    /// file that does not load is an error naming the file.
    public static func load(directory: String = resourceDirectory()) async throws -> PageRenderer {
        let templates = (directory as NSString).appendingPathComponent("templates")
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
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    }

    /// A short time for chart ticks and lists: `12-07 21:05`.
    public func shortTime(_ t: Timestamp, withDate: Bool = true) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        f.dateFormat = withDate ? "MM-dd HH:mm" : "HH:mm"
        return f.string(from: Date(timeIntervalSince1970: Double(t.milliseconds) / 1000))
    }
}
