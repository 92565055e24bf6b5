import DCAgentWeb
import FloorModel
import Foundation
import Testing

/// The pages' words (issue 14): Indonesian and English in data files, checked so that no page
/// ever shows a key instead of a word.
@Suite("Pages: translations in both languages")
struct TranslationsTests {
    static let webSources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/DCAgentWeb").path

    static func files(_ dir: String, ending: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(ending) }.map { dir + "/" + $0 }
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test("both languages have exactly the same keys, and no text is empty")
    func sameKeys() throws {
        let t = try Translations.load(directory: PageRenderer.resourceDirectory() + "/locales")
        let id = t.table(.id)
        let en = t.table(.en)
        #expect(id.count > 50, "the Indonesian file looks truncated: \(id.count) keys")
        #expect(Set(id.keys).subtracting(en.keys).sorted() == [], "keys only in id.json")
        #expect(Set(en.keys).subtracting(id.keys).sorted() == [], "keys only in en.json")
        #expect(id.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.keys.sorted() == [])
        #expect(en.filter { $0.value.trimmingCharacters(in: .whitespaces).isEmpty }.keys.sorted() == [])
        // Placeholders agree: a `{name}` in one language is in the other.
        for (key, text) in en {
            let a = Set(Self.matches(#"\{([a-z_]+)\}"#, in: text))
            let b = Set(Self.matches(#"\{([a-z_]+)\}"#, in: id[key] ?? ""))
            #expect(a == b, "placeholders of \(key): en \(a.sorted()) id \(b.sorted())")
        }
    }

    @Test("every key a template or a page names is in both files")
    func usedKeysExist() throws {
        let t = try Translations.load(directory: PageRenderer.resourceDirectory() + "/locales")
        let known = Set(t.table(.id).keys).intersection(t.table(.en).keys)
        var used: [String: String] = [:]
        let templates = Self.files(Self.webSources + "/Resources/templates", ending: ".mustache")
        #expect(templates.count >= 5, "templates not found under \(Self.webSources)")
        for file in templates {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for key in Self.matches(#"\{\{[#^/]?t\.([a-z_0-9]+)\}\}"#, in: text) { used[key] = file }
        }
        let swift = Self.files(Self.webSources + "/Pages", ending: ".swift")
        #expect(!swift.isEmpty)
        var prefixes: Set<String> = []
        for file in swift {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            // `t("key", page…)`: a literal key.
            for key in Self.matches(#"(?<![\w.])t\("([a-z_0-9]+)", "#, in: text) { used[key] = file }
            // `t("prefix_" + …`: a family of keys, checked below.
            for p in Self.matches(#"(?<![\w.])t\("([a-z_0-9]+_)" \+"#, in: text) { prefixes.insert(p) }
        }
        let missing = used.filter { !known.contains($0.key) }.map { "\($0.key) (\(($0.value as NSString).lastPathComponent))" }.sorted()
        #expect(missing == [], "keys used but not in both files")
        #expect(used.count > 40)
        // Each family the pages build a key of has at least one member, and the known values
        // of the vocabularies they are built from are all there.
        for p in prefixes { #expect(known.contains { $0.hasPrefix(p) }, "no key starts with \(p)") }
        let families: [String: [String]] = [
            "severity_": ["critical", "warning", "info"],
            "state_": ["firing", "resolved", "all", "acknowledged", "unacknowledged"],
            "change_": ["opened", "severityChanged", "flappingStarted", "flappingEnded", "resolved", "dataMissing", "dataReturned",
                "acknowledged", "annotated", "assigned", "silenced", "unsilenced"],
            "health_": ["ok", "warning", "critical"],
            "metric_": RackMetrics.Metric.allCases.map(\.rawValue),
            "rack_state_": RackState.allCases.map { $0.rawValue.replacingOccurrences(of: "-", with: "_") },
            "sensor_kind_": SensorKind.allCases.map { $0.rawValue.replacingOccurrences(of: "-", with: "_") },
            "lifecycle_": Lifecycle.allCases.map(\.rawValue),
            "direction_": Direction.allCases.map(\.rawValue),
            "face_": RackFace.allCases.map(\.rawValue),
            "range_": ["hour", "day", "week", "month", "year"],
        ]
        for (prefix, members) in families where prefixes.contains(prefix) {
            for m in members { #expect(known.contains(prefix + m), "missing \(prefix + m)") }
        }
    }

    @Test("resources that are not there are an error naming where they were looked for; a key in two files of one language is refused")
    func missingResources() async throws {
        let dir = NSTemporaryDirectory() + "dcagent-pages-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/locales", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try await PageRenderer.load(directory: dir)
            Issue.record("loaded pages from an empty directory")
        } catch let e as PageResourceError {
            #expect(e.description.contains("no templates in \(dir)/templates"), "\(e)")
        }
        // Words split over files: a key twice is named with both files.
        try #"{"a": "A"}"#.write(toFile: dir + "/locales/en.json", atomically: true, encoding: .utf8)
        try #"{"a": "A again"}"#.write(toFile: dir + "/locales/en-extra.json", atomically: true, encoding: .utf8)
        try #"{"a": "A"}"#.write(toFile: dir + "/locales/id.json", atomically: true, encoding: .utf8)
        #expect(throws: PageResourceError.self) { try Translations.load(directory: dir + "/locales") }
        try FileManager.default.removeItem(atPath: dir + "/locales/en-extra.json")
        try #"{"b": "B"}"#.write(toFile: dir + "/locales/id-extra.json", atomically: true, encoding: .utf8)
        let t = try Translations.load(directory: dir + "/locales")
        #expect(t.text("b", .id) == "B" && t.text("a", .id) == "A")
    }

    @Test("a key one language lacks falls back to English, then to the key in brackets; placeholders are filled")
    func fallback() {
        let t = Translations(tables: [.en: ["a": "Hello {who}", "b": "only English"], .id: ["a": "Halo {who}"]])
        #expect(t.text("a", .id, ["who": "Budi"]) == "Halo Budi")
        #expect(t.text("b", .id) == "only English")
        #expect(t.text("zzz", .en) == "[zzz]")
        #expect(Language(tag: "id-ID") == .id && Language(tag: "EN_gb") == .en && Language(tag: "fr") == nil)
    }
}
