import Foundation
import Glibc
import TestSupport
import Testing

/// The shell examples of the docs run as written, against a real daemon: only the config path,
/// the address and the `dcagent` on PATH are this test's own.
@Suite("Docs: the curl examples of docs/api.md run", .serialized, .timeLimit(.minutes(2)))
struct DocExamplesTests {
    /// The fenced block (`sh`, `yaml`) after `<!-- doc-test: NAME -->` in a doc file.
    static func block(_ name: String, in doc: String, language: String = "sh") throws -> String {
        let text = try String(contentsOfFile: Repo.root + "/" + doc, encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- doc-test: \(name) -->"), "no doc-test '\(name)' in \(doc)")
        let rest = text[marker.upperBound...]
        let start = try #require(rest.range(of: "```\(language)\n"))
        let end = try #require(rest[start.upperBound...].range(of: "\n```"))
        return String(rest[start.upperBound..<end.lowerBound])
    }

    @Test("docs/api.md: log in with curl, make a token with the session, use it, be refused a change, revoke it, log out")
    func logins() async throws {
        let dir = TempDir()
        let port = freePort()
        let config = testConfig(dir: dir, port: port)
        let daemon = try Daemon(config: config, port: port, logPath: dir.file("daemon.log"))
        defer { kill(daemon.pid, SIGKILL) }
        try await daemon.waitHealthy()
        let script = try Self.block("logins", in: "docs/api.md")
            .replacingOccurrences(of: "/etc/dcagent/dcagent.yaml", with: config)
            .replacingOccurrences(of: "http://127.0.0.1:8080", with: "http://127.0.0.1:\(port)")
        let bin = (Repo.dcagent as NSString).deletingLastPathComponent
        let r = try await runProcess(
            "/bin/bash", ["-euo", "pipefail", "-c", script], environment: ["PATH": "\(bin):/usr/bin:/bin"], cwd: dir.path)
        #expect(r.status == 0, "\(r.output)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(r.stdout)")
        guard lines.count == 6 else { return }
        #expect(lines[0] == "added user ana (admin)" && lines[1] == "password set for ana")
        #expect(lines[2].contains(#""role":"viewer""#) && lines[2].contains(#""user":"ana""#) && lines[2].contains(#""via":"token""#), "\(lines[2])")
        #expect(lines[3].contains(#""code":"forbidden""#), "\(lines[3])")
        #expect(lines[4] == "204" && lines[5] == "204", "revoke and logout: \(lines[4...])")
        #expect(try await daemon.stop() == 0)
        let audit = try await dcagent("audit", "log", "--limit", "20", "--config", config)
        for action in ["user.passwd", "login.success", "token.create", "access.denied", "token.use", "token.revoke", "logout"] {
            #expect(audit.stdout.contains("\t\(action)\t"), "\(action) in the audit log:\n\(audit.stdout)")
        }
    }

    @Test("docs/itsm.md: the itsm example loads with check-config as written, beside a minimal site")
    func itsmConfig() async throws {
        let dir = TempDir()
        let example = try Self.block("itsm-config", in: "docs/itsm.md", language: "yaml")
        let file = dir.write(
            "itsm.yaml",
            """
            sites: [{id: DC, name: Test DC, time_zone: Asia/Jakarta}]
            storage: {path: \(dir.file("x.sqlite"))}
            rules: {file: \(Repo.root)/config/rules/default.yaml}
            \(example)
            """)
        let r = try await dcagent("check-config", file)
        #expect(r.status == 0 && r.stdout.contains(": OK"), "\(r.output)")
    }
}
