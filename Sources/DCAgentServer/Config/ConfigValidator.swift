import ITSMLink
import AgentStore
import Foundation
import Logging
import SensorDrivers
import Telemetry
package import Yams

/// The one validation pass: raw structs in, a ``ConfigPlan`` or field-keyed problems out.
/// Defaults live here and only here.
package struct ConfigValidator {
    package let file: String
    package let baseDirectory: String
    package let environment: [String: String]
    package var locate: ([KeyPathElement]) -> Mark? = { _ in nil }
    private(set) var problems: [ConfigProblem] = []

    package init(file: String, baseDirectory: String, environment: [String: String]) {
        self.file = file
        self.baseDirectory = baseDirectory
        self.environment = environment
    }

    private mutating func fail(_ path: [KeyPathElement], _ reason: String) {
        let m = locate(path)
        problems.append(ConfigProblem(file: file, path: path.dotted, line: m?.line, column: m?.column, reason: reason))
    }

    private mutating func fail(_ keys: [String], _ reason: String) { fail(keys.map { .key($0) }, reason) }

    /// Resolves a path relative to the config file's directory.
    package func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardized.path }
        let base = baseDirectory.hasPrefix("/") ? baseDirectory : FileManager.default.currentDirectoryPath + "/" + baseDirectory
        return URL(fileURLWithPath: base).appendingPathComponent(path).standardized.path
    }

    private mutating func duration(_ text: String?, _ keys: [KeyPathElement], default d: Duration, min: Duration, max: Duration? = nil) -> Duration {
        guard let text else { return d }
        guard let v = DurationText.parse(text) else {
            fail(keys, "'\(text)' is not a duration (use e.g. 500ms, 10s, 2m, 1h, 30d)")
            return d
        }
        if v < min {
            fail(keys, "must be at least \(DurationText.format(min)) (got \(text))")
            return d
        }
        if let max, v > max {
            fail(keys, "must be at most \(DurationText.format(max)) (got \(text))")
            return d
        }
        return v
    }

    private mutating func integer(_ v: Int?, _ keys: [String], default d: Int, range: ClosedRange<Int>) -> Int {
        guard let v else { return d }
        guard range.contains(v) else {
            fail(keys, "must be between \(range.lowerBound) and \(range.upperBound) (got \(v))")
            return d
        }
        return v
    }

    package mutating func validate(_ raw: RawConfig) -> ConfigPlan? {
        let agentName = raw.agent?.name ?? "dcagent"
        if agentName.isEmpty { fail(["agent", "name"], "must not be empty") }

        // Sites (DESIGN decision 3): at least one, ids unique, valid time zones.
        var sites: [SitePlan] = []
        if raw.sites == nil || raw.sites!.isEmpty { fail(["sites"], "at least one site is required (id, name, time_zone)") }
        var seenSites = Set<String>()
        for (i, s) in (raw.sites ?? []).enumerated() {
            let p: [KeyPathElement] = [.key("sites"), .index(i)]
            guard let idText = s.id else {
                fail(p + [.key("id")], "required key is missing")
                continue
            }
            guard let id = CIID(validating: idText) else {
                fail(p + [.key("id")], "'\(idText)' is not a valid id (letters, digits, '-', '_', '.')")
                continue
            }
            if !seenSites.insert(idText).inserted { fail(p + [.key("id")], "duplicate site id '\(idText)'") }
            let tz = s.timeZone ?? "UTC"
            if TimeZone(identifier: tz) == nil { fail(p + [.key("time_zone")], "unknown time zone '\(tz)' (use an IANA name such as Asia/Jakarta)") }
            sites.append(SitePlan(id: id, name: s.name ?? idText, timeZone: tz))
        }

        // Storage.
        let st = raw.storage
        let stateDir = environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first.map(String.init) } ?? "/var/lib/dcagent"
        let dbPath = st?.path.map(resolve) ?? (stateDir as NSString).appendingPathComponent("dcagent.sqlite")
        if let p = st?.path, p.isEmpty { fail(["storage", "path"], "must not be empty") }
        let busy = duration(st?.busyTimeout, [.key("storage"), .key("busy_timeout")], default: .seconds(5), min: .milliseconds(100), max: .seconds(600))
        let retentionRaw = duration(
            st?.retention?.raw, [.key("storage"), .key("retention"), .key("raw")], default: .seconds(90 * 86_400), min: .seconds(3600))
        let retentionEvery = duration(
            st?.retention?.every, [.key("storage"), .key("retention"), .key("every")], default: .seconds(3600), min: .seconds(1))
        let w = st?.writer
        let capacity = integer(w?.queueCapacity, ["storage", "writer", "queue_capacity"], default: 100_000, range: 100...10_000_000)
        let batch = integer(w?.batchSize, ["storage", "writer", "batch_size"], default: 2_000, range: 1...100_000)
        if batch > capacity { fail(["storage", "writer", "batch_size"], "must not exceed queue_capacity (\(capacity))") }
        let flush = duration(w?.flushInterval, [.key("storage"), .key("writer"), .key("flush_interval")], default: .seconds(1), min: .milliseconds(10), max: .seconds(60))
        let stall = duration(w?.stallAfter, [.key("storage"), .key("writer"), .key("stall_after")], default: .seconds(30), min: .seconds(1))
        if stall <= flush { fail(["storage", "writer", "stall_after"], "must be longer than flush_interval") }
        let storage = StoragePlan(
            path: dbPath, busyTimeout: busy, retentionRaw: retentionRaw, retentionEvery: retentionEvery,
            writer: .init(queueCapacity: capacity, batchSize: batch, flushInterval: flush, stallAfter: stall))

        // Audit: key and anchor beside the database unless configured.
        let dbDir = (dbPath as NSString).deletingLastPathComponent
        let audit = AuditPlan(
            keyFile: raw.audit?.keyFile.map(resolve) ?? (dbDir as NSString).appendingPathComponent("audit.key"),
            anchorFile: raw.audit?.anchorFile.map(resolve) ?? (dbDir as NSString).appendingPathComponent("audit.anchor"))
        if audit.keyFile == dbPath || audit.anchorFile == dbPath { fail(["audit"], "key_file and anchor_file must differ from storage.path") }

        // HTTP: loopback unless configured.
        let bind = raw.http?.bind ?? "127.0.0.1"
        if !Self.isIPAddress(bind) { fail(["http", "bind"], "'\(bind)' is not an IPv4 or IPv6 address") }
        let port = integer(raw.http?.port, ["http", "port"], default: 8080, range: 1...65535)
        var http = HTTPPlan(bind: bind, port: port)
        http.allowPlaintext = raw.http?.allowPlaintext ?? false
        if let t = raw.http?.tls {
            var files: [String] = []
            for (name, value) in [("certificate_file", t.certificateFile), ("key_file", t.keyFile)] {
                guard let value else {
                    fail(["http", "tls", name], "required key is missing (PEM file; TLS needs both certificate_file and key_file)")
                    continue
                }
                let path = resolve(value)
                if !FileManager.default.isReadableFile(atPath: path) { fail(["http", "tls", name], "cannot read \(path)") }
                files.append(path)
            }
            if files.count == 2 {
                let tls = HTTPPlan.TLSFiles(certificateFile: files[0], keyFile: files[1])
                do { _ = try tlsConfiguration(tls) } catch let e as ConfigFileError {
                    let (key, reason) = e.description.split(separator: ":", maxSplits: 1).map(String.init).pair
                    fail(["http", "tls", key.replacingOccurrences(of: "http.tls.", with: "")], reason.trimmingCharacters(in: .whitespaces))
                } catch { fail(["http", "tls"], "\(error)") }
                http.tls = tls
            }
        } else if !HTTPPlan.isLoopback(bind) && !http.allowPlaintext {
            fail(
                ["http", "bind"],
                "'\(bind)' is not a loopback address and http.tls is not configured: logins and API tokens would cross the network in clear; configure http.tls (certificate_file, key_file), or set http.allow_plaintext: true to accept that")
        }
        http.sessionLifetime = duration(
            raw.http?.sessionLifetime, [.key("http"), .key("session_lifetime")], default: .seconds(8 * 3600), min: .seconds(60), max: .seconds(30 * 86_400))
        if let l = raw.http?.language {
            if ["id", "en"].contains(l) { http.language = l } else { fail(["http", "language"], "'\(l)' is not a language of the pages (id or en)") }
        }
        http.login.maxFailures = integer(raw.http?.login?.maxFailures, ["http", "login", "max_failures"], default: 5, range: 1...100)
        http.login.bcryptCost = UInt8(integer(raw.http?.login?.bcryptCost, ["http", "login", "bcrypt_cost"], default: 12, range: 10...15))
        http.login.lockout = duration(
            raw.http?.login?.lockout, [.key("http"), .key("login"), .key("lockout")], default: .seconds(900), min: .seconds(1), max: .seconds(86_400))

        // Logging.
        var level = Logger.Level.info
        if let l = raw.logging?.level {
            if let v = Logger.Level(rawValue: l.lowercased()) { level = v } else {
                fail(["logging", "level"], "'\(l)' is not a level (trace, debug, info, notice, warning, error, critical)")
            }
        }
        var format = LoggingPlan.Format.logfmt
        if let f = raw.logging?.format {
            if let v = LoggingPlan.Format(rawValue: f.lowercased()) { format = v } else { fail(["logging", "format"], "'\(f)' is not a format (logfmt, json)") }
        }

        let profilesDir = resolve(raw.profiles?.directory ?? "profiles")
        let floorImport = raw.floor?.importOnFirstStart.map(resolve)
        if let f = floorImport, !FileManager.default.fileExists(atPath: f) {
            fail(["floor", "import_on_first_start"], "no such file \(f)")
        }

        let sensors = validateSensors(raw.sensors ?? [], profilesDirectory: profilesDir)

        var rules: RulesPlan?
        if let r = raw.rules {
            let keys: [KeyPathElement] = [.key("rules")]
            let evaluate = duration(r.evaluateEvery, keys + [.key("evaluate_every")], default: .seconds(10), min: .milliseconds(100), max: .seconds(3600))
            let checkpoint = duration(r.checkpointEvery, keys + [.key("checkpoint_every")], default: .seconds(10), min: .milliseconds(100), max: .seconds(3600))
            let replay = duration(r.replayAfterRestart, keys + [.key("replay_after_restart")], default: .seconds(3600), min: .seconds(0), max: .seconds(7 * 86_400))
            if let f = r.file {
                let path = resolve(f)
                if !FileManager.default.fileExists(atPath: path) {
                    fail(keys + [.key("file")], "no such file \(path)")
                } else {
                    rules = RulesPlan(
                        file: path, evaluateEvery: evaluate, checkpointEvery: checkpoint, replayAfterRestart: replay,
                        checkClockSync: r.checkClockSync ?? true)
                }
            } else {
                fail(keys + [.key("file")], "required key is missing (the rule file, e.g. rules/default.yaml)")
            }
        }

        var itsm: ITSMPlan?
        if let i = raw.itsm {
            var p = ITSMPlan()
            let keys: [KeyPathElement] = [.key("itsm")]
            switch i.tickets ?? "builtin" {
            case "builtin": p.tickets = "builtin"
            case "rt":
                p.tickets = "rt"
                let rk = keys + [.key("rt")]
                if let r = i.rt {
                    if r.url == nil { fail(rk + [.key("url")], "required key is missing (RT's base URL, e.g. https://rt.example.org)") }
                    if let u = r.url, URL(string: u)?.scheme.map({ ["http", "https"].contains($0) }) != true {
                        fail(rk + [.key("url")], "'\(u)' is not an http or https URL")
                    }
                    let password = secret(file: r.passwordFile, env: r.passwordEnv, rk, "password", "itsm.rt")
                    let token = secret(file: r.tokenFile, env: r.tokenEnv, rk, "token", "itsm.rt")
                    if password != nil && token != nil { fail(rk, "give either a password (with user) or a token, not both") }
                    if password != nil && r.user == nil { fail(rk + [.key("user")], "required with a password") }
                    if password == nil && token == nil { fail(rk, "needs password_file/password_env with user, or token_file/token_env") }
                    if let url = r.url, let secret = password ?? token {
                        var plan = RTPlan(url: url, queue: r.queue ?? "Incidents", user: password == nil ? nil : r.user, secret: secret)
                        plan.timeout = duration(r.timeout, rk + [.key("timeout")], default: .seconds(15), min: .seconds(1), max: .seconds(300))
                        for (q, key) in [(r.problemQueue, "problem_queue"), (r.changeQueue, "change_queue")] {
                            if let q, q.trimmingCharacters(in: .whitespaces).isEmpty { fail(rk + [.key(key)], "empty: name an RT queue or leave the key out") }
                        }
                        if let q = r.problemQueue { plan.problemQueue = q }
                        if let q = r.changeQueue { plan.changeQueue = q }
                        p.rt = plan
                    }
                } else {
                    fail(rk, "required when tickets is rt (url, queue, user and password_file, or token_file)")
                }
            case "servicenow":
                fail(keys + [.key("tickets")], "'servicenow' is not wired into the daemon yet (issue 16); use builtin or rt")
            default: fail(keys + [.key("tickets")], "'\(i.tickets!)' is not a ticket system (builtin, rt)")
            }
            if let raw = i.policy {
                do { p.policy = try raw.policy(at: "itsm.policy") } catch {
                    for problem in error.problems { fail(problem.key.split(separator: ".").map { .key(String($0)) }, problem.reason) }
                }
            }
            if let r = i.recurrence {
                let rk = keys + [.key("recurrence")]
                if let n = r.incidents {
                    if (2...1000).contains(n) { p.recurrence.incidents = n } else { fail(rk + [.key("incidents")], "\(n) is not a count of incidents from 2 to 1000") }
                }
                p.recurrence.within = duration(r.within, rk + [.key("within")], default: .seconds(30 * 86_400), min: .seconds(60), max: .seconds(3 * 365 * 86_400)).inSeconds
            }
            p.pollEvery = duration(i.pollEvery, keys + [.key("poll_every")], default: .seconds(60), min: .seconds(5), max: .seconds(86_400))
            if let raw = i.priority {
                do { p.priority = try raw.config(at: "itsm.priority") } catch {
                    for problem in error.problems { fail(Self.keyPath(problem.key), problem.reason) }
                }
            }
            if let raw = i.correlation {
                do { p.correlation = try raw.policy(at: "itsm.correlation") } catch {
                    for problem in error.problems { fail(problem.key.split(separator: ".").map { .key(String($0)) }, problem.reason) }
                }
            }
            p.tick = duration(i.tick, keys + [.key("tick")], default: .seconds(5), min: .milliseconds(100), max: .seconds(600))
            p.retryFirst = duration(i.retryFirst, keys + [.key("retry_first")], default: .seconds(5), min: .milliseconds(100), max: .seconds(3600))
            p.retryMax = duration(i.retryMax, keys + [.key("retry_max")], default: .seconds(300), min: .seconds(1), max: .seconds(86_400))
            p.deadAfter = duration(i.deadAfter, keys + [.key("dead_after")], default: .seconds(48 * 3600), min: .seconds(1), max: .seconds(30 * 86_400))
            if raw.rules == nil { fail(keys, "needs a rules: section (events come from the rules)") }
            itsm = p
        }

        guard problems.isEmpty else { return nil }
        var plan = ConfigPlan(
            file: file, agentName: agentName, sites: sites, storage: storage, audit: audit, http: http,
            logging: LoggingPlan(level: level, format: format), profilesDirectory: profilesDir, floorImport: floorImport, sensors: sensors,
            rules: rules)
        plan.itsm = itsm
        return plan
    }

    /// A dotted key as a library reports it (`itsm.priority.matrix[1][2]`) as a key path, so the
    /// problem is located at its line: keys split at `.`, `[n]` suffixes become indexes.
    package static func keyPath(_ dotted: String) -> [KeyPathElement] {
        var out: [KeyPathElement] = []
        for part in dotted.split(separator: ".") {
            var rest = Substring(part)
            if let open = rest.firstIndex(of: "[") {
                if open > rest.startIndex { out.append(.key(String(rest[..<open]))) }
                rest = rest[open...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                    out.append(.index(i))
                    rest = rest[rest.index(after: close)...]
                }
                if !rest.isEmpty { out.append(.key(String(rest))) }
            } else {
                out.append(.key(String(rest)))
            }
        }
        return out
    }

    package static func isIPAddress(_ s: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }

    // MARK: Sensors

    private mutating func validateSensors(_ raws: [RawSensor], profilesDirectory: String) -> [SensorPlan] {
        var out: [SensorPlan] = []
        var seen = Set<String>()
        var seenUnits = Set<String>()
        let profilesExist = FileManager.default.fileExists(atPath: profilesDirectory)
        for (i, s) in raws.enumerated() {
            let p: [KeyPathElement] = [.key("sensors"), .index(i)]
            let before = problems.count
            guard let idText = s.id else {
                fail(p + [.key("id")], "required key is missing")
                continue
            }
            let name = "sensor \(idText)"
            guard let id = CIID(validating: idText) else {
                fail(p + [.key("id")], "'\(idText)' is not a valid CI id")
                continue
            }
            if !seen.insert(idText).inserted { fail(p + [.key("id")], "duplicate sensor id '\(idText)'") }
            guard let profile = s.profile, !profile.isEmpty else {
                fail(p + [.key("profile")], "\(name): required key is missing")
                continue
            }
            if profilesExist {
                let f = (profilesDirectory as NSString).appendingPathComponent("\(profile).yaml")
                if !FileManager.default.fileExists(atPath: f) {
                    fail(p + [.key("profile")], "\(name): unknown profile '\(profile)' (no \(f))")
                }
            }
            guard let endpointText = s.endpoint else {
                fail(p + [.key("endpoint")], "\(name): required key is missing (tcp://HOST:PORT, rtu:///dev/ttyX?baud=…, udp://HOST:PORT)")
                continue
            }
            guard let endpoint = Self.parseEndpoint(endpointText) else {
                var why = "is not an endpoint (tcp://HOST:PORT for Modbus TCP, rtu:///dev/ttyX?baud=19200&parity=E for Modbus RTU, udp://HOST:PORT for SNMP)"
                if endpointText.hasPrefix("rtu://") {
                    do { _ = try ModbusEndpoint(parsing: endpointText) } catch {
                        let quoted = "'\(endpointText)': "
                        why = "is not a serial endpoint: " + (error.detail.hasPrefix(quoted) ? String(error.detail.dropFirst(quoted.count)) : error.detail)
                    }
                }
                fail(p + [.key("endpoint")], "\(name): '\(endpointText)' \(why)")
                continue
            }
            var unit: Int? = nil
            switch endpoint {
            case .modbusTCP, .modbusRTU:
                let u = s.unit ?? 1
                if !(0...247).contains(u) { fail(p + [.key("unit")], "\(name): Modbus unit id must be between 0 and 247 (got \(u))") }
                if !seenUnits.insert("\(endpoint)#\(u)").inserted {
                    fail(p + [.key("unit")], "\(name): another sensor already uses unit \(u) on \(endpoint)")
                }
                unit = u
                if s.snmp != nil { fail(p + [.key("snmp")], "\(name): snmp credentials given for a Modbus endpoint") }
            case .snmp:
                if s.unit != nil { fail(p + [.key("unit")], "\(name): a unit id applies to Modbus only") }
            }
            var rack: CIID? = nil
            if let r = s.rack {
                rack = CIID(validating: r)
                if rack == nil { fail(p + [.key("rack")], "\(name): '\(r)' is not a valid CI id") }
            }
            let interval = duration(s.interval, p + [.key("interval")], default: .seconds(10), min: .milliseconds(100), max: .seconds(86_400))
            let timeout = duration(s.timeout, p + [.key("timeout")], default: .seconds(2), min: .milliseconds(10), max: .seconds(60))
            var auth: SensorPlan.SNMPAuth? = nil
            if case .snmp = endpoint { auth = snmpAuth(s.snmp, p + [.key("snmp")], name) }
            if problems.count == before {
                out.append(
                    SensorPlan(id: id, profile: profile, endpoint: endpoint, unit: unit, rack: rack, interval: interval, timeout: timeout, snmp: auth))
            }
        }
        return out
    }

    private mutating func secret(file: String?, env: String?, _ p: [KeyPathElement], _ what: String, _ name: String) -> SecretRef? {
        if file != nil && env != nil {
            fail(p, "\(name): give the \(what) either as a file or as an environment variable, not both")
        }
        if let file {
            guard !file.isEmpty else {
                fail(p, "\(name): the \(what) file name is empty")
                return nil
            }
            return .file(resolve(file))
        }
        if let env {
            guard !env.isEmpty else {
                fail(p, "\(name): the \(what) environment variable name is empty")
                return nil
            }
            return .environment(env)
        }
        return nil
    }

    private mutating func snmpAuth(_ c: RawSNMPCredentials?, _ p: [KeyPathElement], _ name: String) -> SensorPlan.SNMPAuth? {
        let version = c?.version ?? "2c"
        switch version {
        case "1", "2c":
            let community =
                secret(file: c?.communityFile, env: c?.communityEnv, p + [.key("community_file")], "community", name)
                ?? .literal(Secret("public"))
            return .community(version: version, community: community)
        case "3":
            guard let user = c?.user, !user.isEmpty else {
                fail(p + [.key("user")], "\(name): SNMPv3 needs a user")
                return nil
            }
            let level = c?.securityLevel ?? "authPriv"
            guard ["noAuthNoPriv", "authNoPriv", "authPriv"].contains(level) else {
                fail(p + [.key("security_level")], "\(name): '\(level)' is not noAuthNoPriv, authNoPriv or authPriv")
                return nil
            }
            var authKey: SecretRef? = nil
            var privKey: SecretRef? = nil
            if level != "noAuthNoPriv" {
                authKey = secret(file: c?.authKeyFile, env: c?.authKeyEnv, p + [.key("auth_key_file")], "auth key", name)
                if authKey == nil && c?.authKeyFile == nil && c?.authKeyEnv == nil {
                    fail(p + [.key("auth_key_file")], "\(name): \(level) needs auth_key_file or auth_key_env")
                }
                let ap = c?.authProtocol ?? "SHA"
                if !["MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"].contains(ap) {
                    fail(p + [.key("auth_protocol")], "\(name): '\(ap)' is not MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512")
                }
            }
            if level == "authPriv" {
                privKey = secret(file: c?.privKeyFile, env: c?.privKeyEnv, p + [.key("priv_key_file")], "privacy key", name)
                if privKey == nil && c?.privKeyFile == nil && c?.privKeyEnv == nil {
                    fail(p + [.key("priv_key_file")], "\(name): authPriv needs priv_key_file or priv_key_env")
                }
                let pp = c?.privProtocol ?? "AES"
                if !["DES", "AES", "AES-128", "AES-192", "AES-256"].contains(pp) {
                    fail(p + [.key("priv_protocol")], "\(name): '\(pp)' is not DES, AES, AES-128, AES-192 or AES-256")
                }
            }
            return .v3(
                user: user, level: level, authProtocol: c?.authProtocol ?? "SHA", authKey: authKey, privProtocol: c?.privProtocol ?? "AES",
                privKey: privKey)
        default:
            fail(p + [.key("version")], "\(name): SNMP version must be 1, 2c or 3 (got \(version))")
            return nil
        }
    }

    /// Parses `tcp://HOST:PORT`, `rtu:///dev/ttyX?baud=19200&parity=E&data=8&stop=1`, `udp://HOST:PORT`.
    package static func parseEndpoint(_ text: String) -> SensorPlan.Endpoint? {
        guard let c = URLComponents(string: text), let scheme = c.scheme else { return nil }
        switch scheme {
        case "tcp", "udp":
            guard let host = c.host, !host.isEmpty, c.path.isEmpty || c.path == "/" else { return nil }
            let port = c.port ?? (scheme == "tcp" ? 502 : 161)
            guard (1...65535).contains(port) else { return nil }
            return scheme == "tcp" ? .modbusTCP(host: host, port: port) : .snmp(host: host, port: port)
        case "rtu":
            // The driver's parser, so that the config accepts exactly what the driver (and
            // `dcagent probe`) accepts: every documented spelling (parity=even as well as E).
            guard case .rtu(let s)? = try? ModbusEndpoint(parsing: text) else { return nil }
            return .modbusRTU(
                device: s.device, baud: s.baud, parity: Character(UnicodeScalar(UInt8(bitPattern: s.parity.libmodbusCode))),
                dataBits: s.dataBits, stopBits: s.stopBits)
        default:
            return nil
        }
    }
}

extension Array where Element == String {
    /// The first two elements (an empty string for a missing one).
    fileprivate var pair: (String, String) { (first ?? "", count > 1 ? self[1] : "") }
}
