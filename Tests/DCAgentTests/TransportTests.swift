import Foundation
import Glibc
import TestSupport
import Testing

/// Transport and the login CLI (issue 11): plain HTTP only on loopback unless said on purpose,
/// TLS from certificate and key files (checked with curl against a certificate made by openssl),
/// passwords never on the command line, API token secrets shown once.
@Suite("Transport: TLS, the plaintext refusal, passwords and tokens from the CLI", .serialized, .timeLimit(.minutes(3)))
struct TransportTests {
    func config(_ dir: TempDir, port: Int, http: String) -> String {
        dir.write(
            "dcagent.yaml",
            """
            agent:
              name: tls-test
            sites:
              - id: DC
                name: Test DC
                time_zone: Asia/Jakarta
            storage:
              path: \(dir.file("dcagent.sqlite"))
            http:
              port: \(port)
            \(http)
            """)
    }

    /// A self-signed certificate for 127.0.0.1, made by openssl.
    func certificate(_ dir: TempDir) async throws -> (cert: String, key: String) {
        let (cert, key) = (dir.file("cert.pem"), dir.file("key.pem"))
        let r = try await runProcess(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert])
        #expect(r.status == 0, "\(r.output)")
        return (cert, key)
    }

    @Test("a non-loopback bind without TLS is refused naming http.bind; allow_plaintext accepts it; TLS files that do not load are named")
    func refusals() async throws {
        let dir = TempDir()
        let plain = config(dir, port: 8080, http: "  bind: 0.0.0.0")
        var r = try await dcagent("check-config", plain)
        #expect(r.status == 1)
        #expect(r.stdout.contains("http.bind: '0.0.0.0' is not a loopback address and http.tls is not configured"), "\(r.output)")
        r = try await dcagent("run", "--config", plain)
        #expect(r.status != 0 && r.output.contains("http.bind"), "the daemon refuses to start: \(r.output)")
        r = try await dcagent("check-config", config(dir, port: 8080, http: "  bind: 0.0.0.0\n  allow_plaintext: true"))
        #expect(r.status == 0, "\(r.output)")
        let garbage = dir.write("garbage.pem", "not a certificate\n")
        r = try await dcagent(
            "check-config", config(dir, port: 8080, http: "  tls:\n    certificate_file: \(garbage)\n    key_file: \(dir.file("missing.pem"))"))
        #expect(r.status == 1)
        #expect(r.stdout.contains("http.tls.key_file: cannot read \(dir.file("missing.pem"))"), "\(r.output)")
        let (cert, _) = try await certificate(dir)
        r = try await dcagent("check-config", config(dir, port: 8080, http: "  tls:\n    certificate_file: \(cert)\n    key_file: \(garbage)"))
        #expect(r.status == 1)
        #expect(r.stdout.contains("http.tls.key_file: cannot load \(garbage) as a PEM private key"), "\(r.output)")
        r = try await dcagent("check-config", config(dir, port: 8080, http: "  tls:\n    certificate_file: \(cert)"))
        #expect(r.stdout.contains("http.tls.key_file: required key is missing"), "\(r.output)")
    }

    @Test("over TLS: a password set from stdin logs in with curl, the cookie is Secure, HSTS is sent; a token shown once authenticates, then is revoked")
    func tls() async throws {
        let dir = TempDir()
        let port = freePort()
        let (cert, key) = try await certificate(dir)
        let file = config(dir, port: port, http: "  tls:\n    certificate_file: \(cert)\n    key_file: \(key)")
        // Users and secrets from the CLI: the password from stdin or a file, never an argument.
        #expect(try await dcagent("user", "add", "ana", "--role", "admin", "--email", "ana@example.org", "--group", "night", "--config", file).status == 0)
        var r = try await runShell("printf 'correct horse battery\\n' | \(Repo.dcagent) user passwd ana --as ana --config \(file)")
        #expect(r.status == 0 && r.stdout == "password set for ana\n", "\(r.output)")
        r = try await dcagent("user", "passwd", "ana", "--password", "x", "--as", "ana", "--config", file)
        #expect(r.status == 64, "there is no --password option: \(r.output)")
        let pwFile = dir.write("pw", "too short\n")
        r = try await dcagent("user", "passwd", "ana", "--password-file", pwFile, "--as", "ana", "--config", file)
        #expect(r.status != 0 && r.output.contains("at least 12 characters"), "\(r.output)")
        r = try await dcagent("user", "contact", "ana", "--email", "ana@dc.example.org", "--group", "day", "--group", "cooling", "--as", "ana", "--config", file)
        #expect(r.status == 0 && r.stdout == "ana: e-mail ana@dc.example.org, groups cooling,day\n", "\(r.output)")
        r = try await dcagent("user", "list", "--config", file)
        #expect(r.stdout.contains("ana\tadmin\tactive\t\tana@dc.example.org\tcooling,day"), "\(r.output)")
        r = try await dcagent("user", "contact", "ana", "--email", "not-an-address", "--as", "ana", "--config", file)
        #expect(r.status != 0 && r.output.contains("invalid e-mail address 'not-an-address'"), "\(r.output)")
        r = try await dcagent("token", "create", "scraper", "--role", "viewer", "--as", "ana", "--config", file)
        #expect(r.status == 0)
        let secret = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("dcagent_") && !r.stderr.contains(secret) && r.stderr.contains("shown only now"), "\(r.output)")
        r = try await dcagent("token", "list", "--as", "ana", "--config", file)
        #expect(r.status == 0 && r.stdout.contains("scraper") && !r.stdout.contains(secret), "\(r.output)")
        let id = String(secret.dropFirst("dcagent_".count).prefix(12))

        let daemon = try Daemon(config: file, port: port, logPath: dir.file("daemon.log"))
        defer { kill(daemon.pid, SIGKILL) }
        let base = "https://127.0.0.1:\(port)"
        let curl = ["-sS", "--max-time", "10", "--cacert", cert]
        try await waitUntil("dcagent over TLS on \(port); log:\n\(daemon.log)") {
            if !daemon.process.isRunning { throw TestFailure("dcagent exited: \(daemon.log)") }
            return try await runProcess("/usr/bin/curl", curl + ["-o", "/dev/null", "-w", "%{http_code}", base + "/healthz"]).stdout == "200"
        }
        // Plain HTTP to the TLS port gets no answer.
        r = try await runProcess("/usr/bin/curl", ["-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/healthz"])
        #expect(r.stdout != "200")
        // A login over TLS with curl's cookie jar.
        let jar = dir.file("cookies")
        r = try await runProcess(
            "/usr/bin/curl",
            curl + ["-i", "-c", jar, "-H", "Content-Type: application/json", "-d", #"{"user":"ana","password":"correct horse battery"}"#,
                    base + "/api/v1/session"])
        #expect(r.stdout.hasPrefix("HTTP/1.1 200") || r.stdout.hasPrefix("HTTP/2 200"), "\(r.output)")
        let lower = r.stdout.lowercased()
        #expect(lower.contains("strict-transport-security: max-age=31536000"))
        #expect(lower.contains("set-cookie: dcagent_session=") && lower.contains("secure") && lower.contains("httponly") && lower.contains("samesite=strict"))
        r = try await runProcess("/usr/bin/curl", curl + ["-b", jar, base + "/api/v1/session"])
        #expect(r.stdout.contains(#""user":"ana""#) && r.stdout.contains(#""via":"session""#), "\(r.output)")
        // The token from the CLI authenticates; revoked from the CLI, it is refused at once.
        r = try await runProcess("/usr/bin/curl", curl + ["-H", "Authorization: Bearer \(secret)", base + "/api/v1/session"])
        #expect(r.stdout.contains(#""token_id":"\#(id)""#) && r.stdout.contains(#""role":"viewer""#), "\(r.output)")
        #expect(try await dcagent("token", "revoke", id, "--as", "ana", "--config", file).status == 0)
        r = try await runProcess("/usr/bin/curl", curl + ["-w", " %{http_code}", "-H", "Authorization: Bearer \(secret)", base + "/api/v1/session"])
        #expect(r.stdout.hasSuffix(" 401") && r.stdout.contains("invalid_token"), "\(r.output)")
        #expect(try await daemon.stop() == 0)
        // Neither the password nor the token's secret is in the log.
        #expect(!daemon.log.contains("correct horse battery") && !daemon.log.contains(secret))
        let audit = try await dcagent("audit", "verify", "--config", file)
        #expect(audit.status == 0, "\(audit.output)")
    }
}

/// Runs a shell line (for a pipe into the CLI).
func runShell(_ line: String) async throws -> CommandResult {
    try await runProcess("/bin/sh", ["-c", line])
}
