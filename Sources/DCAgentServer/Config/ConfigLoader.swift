package import Foundation
package import Yams

/// Reads a config file: YAML → node tree (with line and column) → Codable raw structs, section
/// by section so one bad section does not hide problems in the others → unknown keys → the
/// validation pass of ``ConfigValidator``. Every problem is collected; none is swallowed.
package enum ConfigLoader {
    /// Loads and validates one file, returning the plan or every problem found.
    package static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<ConfigPlan, ConfigErrors> {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (\(Self.posixReason(path)))" : "no such file"
            return .failure(ConfigErrors(problems: [ConfigProblem(file: path, path: "", reason: reason)]))
        }
        return load(text: text, file: path, environment: environment)
    }

    /// Loads and validates YAML text that came from `file`.
    package static func load(text: String, file: String, environment: [String: String]) -> Result<ConfigPlan, ConfigErrors> {
        var context = DecodeContext(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .failure(ConfigErrors(problems: [ConfigProblem(file: file, path: "", reason: "the file is empty")]))
            }
            root = node
        } catch {
            return .failure(ConfigErrors(problems: [context.yamlProblem(error)]))
        }
        context.root = root
        if context.refuseOversized(root) { return .failure(ConfigErrors(problems: context.problems)) }
        guard let mapping = root.mapping else {
            return .failure(ConfigErrors(problems: [context.problem(at: [KeyPathElement](), "the top level must be a mapping of sections (sites:, storage:, …)")]))
        }
        var raw = RawConfig()
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            switch key {
            case "agent": raw.agent = context.decode(RawAgent.self, value, [key])
            case "sites": raw.sites = context.decodeList(RawSite.self, value, [key])
            case "storage": raw.storage = context.decode(RawStorage.self, value, [key])
            case "audit": raw.audit = context.decode(RawAudit.self, value, [key])
            case "http": raw.http = context.decode(RawHTTP.self, value, [key])
            case "logging": raw.logging = context.decode(RawLogging.self, value, [key])
            case "profiles": raw.profiles = context.decode(RawProfiles.self, value, [key])
            case "floor": raw.floor = context.decode(RawFloor.self, value, [key])
            case "sensors": raw.sensors = context.decodeList(RawSensor.self, value, [key])
            case "rules": raw.rules = context.decode(RawRules.self, value, [key])
            case "itsm": raw.itsm = context.decode(RawITSM.self, value, [key])
            default:
                context.problems.append(
                    context.problem(
                        at: [key], node: keyNode,
                        "unknown key (expected one of: agent, sites, storage, audit, http, logging, profiles, floor, sensors, rules, itsm)"))
            }
        }
        let baseDirectory = (file as NSString).deletingLastPathComponent
        var validator = ConfigValidator(file: file, baseDirectory: baseDirectory.isEmpty ? "." : baseDirectory, environment: environment)
        validator.locate = { path in context.mark(of: path) }
        let plan = validator.validate(raw)
        let problems = context.problems + validator.problems
        if !problems.isEmpty || plan == nil {
            return .failure(ConfigErrors(problems: problems))
        }
        return .success(plan!)
    }

    private static func posixReason(_ path: String) -> String {
        FileManager.default.isReadableFile(atPath: path) ? "not UTF-8 text" : "permission denied"
    }
}

/// A key path element: a mapping key or a sequence index.
package enum KeyPathElement: CustomStringConvertible {
    case key(String)
    case index(Int)
    package var description: String {
        switch self {
        case .key(let k): k
        case .index(let i): "[\(i)]"
        }
    }
}

extension Array where Element == KeyPathElement {
    /// `sensors[2].endpoint`
    package var dotted: String {
        var out = ""
        for e in self {
            switch e {
            case .key(let k): out += out.isEmpty ? k : ".\(k)"
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}

package struct DecodeContext {
    package var file: String
    package var root: Node?
    package var problems: [ConfigProblem] = []

    package init(file: String) { self.file = file }

    package func problem(at path: [KeyPathElement], node: Node? = nil, _ reason: String) -> ConfigProblem {
        let mark = node?.mark ?? mark(of: path)
        return ConfigProblem(file: file, path: path.dotted, line: mark?.line, column: mark?.column, reason: reason)
    }

    package func problem(at keys: [String], node: Node? = nil, _ reason: String) -> ConfigProblem {
        problem(at: keys.map { .key($0) }, node: node, reason)
    }

    /// Finds the node at a key path and returns its position.
    package func mark(of path: [KeyPathElement]) -> Mark? {
        guard var node = root else { return nil }
        var lastMark = node.mark
        for e in path {
            switch e {
            case .key(let k):
                guard let m = node.mapping, let pair = m.first(where: { $0.key.string == k }) else { return lastMark }
                lastMark = pair.key.mark
                node = pair.value
            case .index(let i):
                guard let s = node.sequence, i < s.count else { return lastMark }
                node = s[i]
                lastMark = node.mark
            }
        }
        return lastMark
    }

    package func yamlProblem(_ error: any Error) -> ConfigProblem {
        if let y = error as? YamlError {
            switch y {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                return ConfigProblem(file: file, path: "", line: mark.line, column: mark.column, reason: "invalid YAML: \(problem)")
            case .duplicatedKeysInMapping(let dups, let ctx):
                return ConfigProblem(
                    file: file, path: "", line: ctx.mark.line, column: ctx.mark.column,
                    reason: "duplicate keys in a mapping: \(dups.joined(separator: ", "))")
            default:
                return ConfigProblem(file: file, path: "", reason: "invalid YAML: \(y)")
            }
        }
        return ConfigProblem(file: file, path: "", reason: "invalid YAML: \(error)")
    }

    /// Refuses what no config, profile or rule file needs and what would only make the decoders
    /// slow: a value longer than `maxScalar` bytes (a 10 MB scalar), or more than `maxNodes`
    /// values once aliases are expanded ("billion laughs"). The walk itself stops at `maxNodes`
    /// and keeps one parent link per node, building a key path only for the problem it reports.
    /// True when the file is refused (the problem is recorded).
    package mutating func refuseOversized(_ root: Node, maxScalar: Int = 65_536, maxNodes: Int = 200_000) -> Bool {
        var links: [(parent: Int, element: KeyPathElement?)] = [(-1, nil)]
        var stack: [(node: Node, link: Int)] = [(root, 0)]
        func path(_ link: Int) -> [KeyPathElement] {
            var out: [KeyPathElement] = []
            var i = link
            while i >= 0 {
                if let e = links[i].element { out.append(e) }
                i = links[i].parent
            }
            return out.reversed()
        }
        while let (node, link) = stack.popLast() {
            guard links.count <= maxNodes else {
                problems.append(problem(at: [KeyPathElement](), "more than \(maxNodes) values once its aliases are expanded (aliases of aliases?)"))
                return true
            }
            switch node {
            case .scalar(let s):
                let size = s.string.utf8.count
                if size > maxScalar {
                    problems.append(problem(at: path(link), node: node, "a value of \(size) bytes (at most \(maxScalar))"))
                    return true
                }
            case .mapping(let m):
                for (k, v) in m.reversed() {
                    let key = k.string.map { $0.utf8.count > 200 ? String($0.prefix(40)) + "…" : $0 } ?? "?"
                    links.append((link, .key(key)))
                    stack.append((v, links.count - 1))
                    stack.append((k, links.count - 1))
                }
            case .sequence(let seq):
                for (i, v) in seq.enumerated().reversed() {
                    links.append((link, .index(i)))
                    stack.append((v, links.count - 1))
                }
            default:
                break
            }
        }
        return false
    }

    /// Decodes one section, recording a type problem (with its position) or unknown keys.
    package mutating func decode<T: Codable>(_ type: T.Type, _ node: Node, _ keys: [String]) -> T? {
        decode(type, node, keys.map { .key($0) })
    }

    package mutating func decode<T: Codable>(_ type: T.Type, _ node: Node, _ path: [KeyPathElement]) -> T? {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return nil }
        do {
            let value = try YAMLDecoder().decode(type, from: node)
            checkUnknownKeys(source: node, decoded: value, path: path)
            return value
        } catch let e as DecodingError {
            problems.append(decodingProblem(e, base: path))
            return nil
        } catch {
            problems.append(problem(at: path, "\(error)"))
            return nil
        }
    }

    /// Decodes a value whose type reports its own unknown keys (rule files), recording a type
    /// problem with its position.
    package mutating func decodeReportingOwnKeys<T: Decodable>(_ type: T.Type, _ node: Node) -> T? {
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch let e as DecodingError {
            problems.append(decodingProblem(e, base: []))
            return nil
        } catch {
            problems.append(problem(at: [KeyPathElement](), "\(error)"))
            return nil
        }
    }

    /// Decodes a list element by element, so each bad element is reported on its own.
    package mutating func decodeList<T: Codable>(_ type: T.Type, _ node: Node, _ keys: [String]) -> [T]? {
        let path = keys.map { KeyPathElement.key($0) }
        guard let seq = node.sequence else {
            if case .scalar(let s) = node, s.string.isEmpty || s.string == "null" { return [] }
            problems.append(problem(at: path, "must be a list (each entry starting with '- ')"))
            return nil
        }
        var out: [T] = []
        for (i, element) in seq.enumerated() {
            if let v = decode(type, element, path + [.index(i)]) { out.append(v) }
        }
        return out
    }

    private func decodingProblem(_ e: DecodingError, base: [KeyPathElement]) -> ConfigProblem {
        func path(_ codingPath: [any CodingKey]) -> [KeyPathElement] {
            base + codingPath.map { k in k.intValue.map { .index($0) } ?? .key(k.stringValue) }
        }
        switch e {
        case .typeMismatch(let type, let ctx):
            return problem(at: path(ctx.codingPath), "expected \(Self.describe(type))")
        case .valueNotFound(let type, let ctx):
            return problem(at: path(ctx.codingPath), "a value is required (\(Self.describe(type)))")
        case .keyNotFound(let key, let ctx):
            return problem(at: path(ctx.codingPath) + [.key(key.stringValue)], "required key is missing")
        case .dataCorrupted(let ctx):
            return problem(at: path(ctx.codingPath), ctx.debugDescription)
        @unknown default:
            return problem(at: base, "\(e)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Double.Type: "a number"
        case is String.Type: "a text value"
        case is Bool.Type: "true or false"
        default:
            "\(type)".hasPrefix("Array") ? "a list" : "a mapping"
        }
    }

    /// Unknown keys: keys of the source that do not survive a decode/encode round trip.
    private mutating func checkUnknownKeys<T: Encodable>(source: Node, decoded: T, path: [KeyPathElement]) {
        guard let text = try? YAMLEncoder().encode(decoded), let encoded = try? Yams.compose(yaml: text) else { return }
        compare(source, encoded, path)
    }

    private mutating func compare(_ source: Node, _ encoded: Node?, _ path: [KeyPathElement]) {
        if let sm = source.mapping {
            let em = encoded?.mapping
            for (k, v) in sm {
                let key = k.string ?? "\(k)"
                let ev = em?.first(where: { $0.key.string == key })?.value
                if ev == nil {
                    if case .scalar(let s) = v, s.string.isEmpty || s.string == "~" || s.string == "null" { continue }
                    problems.append(problem(at: path + [.key(key)], node: k, "unknown key"))
                } else {
                    compare(v, ev, path + [.key(key)])
                }
            }
        } else if let ss = source.sequence, let es = encoded?.sequence {
            for (i, v) in ss.enumerated() where i < es.count {
                compare(v, es[i], path + [.index(i)])
            }
        }
    }
}
