public import Foundation

/// A language the pages speak: Bahasa Indonesia or English (issue 14). The words live in data
/// files, `Resources/locales/<code>.json` (one flat object of key → text), so a translator edits
/// text, not code; a test fails when a key is in one file and not the other, or when a
/// template or page names a key neither has.
public enum Language: String, CaseIterable, Sendable, Codable {
    case id, en

    /// The language a request asks for by a `lang` value (`id`, `en`, `id-ID`, `en-GB`…), if any.
    public init?(tag: String) {
        let primary = tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        self.init(rawValue: primary)
    }
}

/// The pages' words in each ``Language``.
public struct Translations: Sendable {
    /// Each language's table, key → text.
    public let tables: [Language: [String: String]]

    public init(tables: [Language: [String: String]]) { self.tables = tables }

    /// Reads every language's words from a directory: `<code>.json` and any `<code>-<part>.json`
    /// (one file per group of pages, e.g. `id-checklists.json`), merged. A file that is missing
    /// or is not an object of strings, or a key given by two files of one language, is an error
    /// that names the file.
    public static func load(directory: String) throws -> Translations {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let files = ["\(language.rawValue).json"] + names.filter { $0.hasPrefix(language.rawValue + "-") && $0.hasSuffix(".json") }.sorted()
            var table: [String: String] = [:]
            var origin: [String: String] = [:]
            for file in files {
                let path = (directory as NSString).appendingPathComponent(file)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw PageResourceError("cannot read the translations file \(path)")
                }
                guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    throw PageResourceError("\(path): not a JSON object of key → text")
                }
                for (key, value) in object {
                    guard let text = value as? String else { throw PageResourceError("\(path): key '\(key)' is not a string") }
                    if let first = origin[key] { throw PageResourceError("\(path): key '\(key)' is also in \(first)") }
                    table[key] = text
                    origin[key] = file
                }
            }
            tables[language] = table
        }
        return Translations(tables: tables)
    }

    /// The text of `key` in `language` with `{name}` placeholders filled from `args`; a key the
    /// language lacks falls back to English, then to the key itself in brackets (the test of
    /// the files makes sure neither happens in a release).
    public func text(_ key: String, _ language: Language, _ args: [String: String] = [:]) -> String {
        var text = tables[language]?[key] ?? tables[.en]?[key] ?? "[\(key)]"
        for (name, value) in args { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// Every key of `language`.
    public func table(_ language: Language) -> [String: String] { tables[language] ?? [:] }
}

/// A page resource (template, translations, static file) that cannot be used.
public struct PageResourceError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
