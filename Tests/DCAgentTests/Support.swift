import Foundation
import Glibc
import TestSupport

/// Paths of the package under test.
enum Repo {
    /// The package root, found from this file's path.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The built `dcagent` binary: `DCAGENT_BIN`, else beside the test bundle.
    static let dcagent: String = {
        if let p = ProcessInfo.processInfo.environment["DCAGENT_BIN"] { return p }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The bundle may be a directory (…/DCAgentPackageTests.xctest/…); walk up to the products dir.
        while !dir.path.hasSuffix("/debug") && !dir.path.hasSuffix("/release") && dir.path != "/" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("dcagent").path
    }()
}

/// A fresh temporary directory, removed when released.
final class TempDir: Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "dcagent-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes a file and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = file(name)
        try! text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

/// The result of a finished command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
}

/// Runs a program to completion with output to files (never a pipe a child could hold open).
/// Waits through `terminationHandler`, never blocking a thread of the cooperative pool.
func runProcess(_ executable: String, _ args: [String], environment: [String: String] = [:], cwd: String? = nil) async throws -> CommandResult {
    let dir = TempDir()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "NOTIFY_SOCKET")
    for (k, v) in environment { env[k] = v }
    p.environment = env
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    FileManager.default.createFile(atPath: dir.file("out"), contents: nil)
    FileManager.default.createFile(atPath: dir.file("err"), contents: nil)
    p.standardOutput = FileHandle(forWritingAtPath: dir.file("out"))
    p.standardError = FileHandle(forWritingAtPath: dir.file("err"))
    p.standardInput = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { c in
        p.terminationHandler = { proc in c.resume(returning: proc.terminationStatus) }
        do { try p.run() } catch {
            p.terminationHandler = nil
            c.resume(throwing: error)
        }
    }
    return CommandResult(
        status: status, stdout: (try? String(contentsOfFile: dir.file("out"), encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: dir.file("err"), encoding: .utf8)) ?? "")
}

/// Runs `dcagent ARGS`.
func dcagent(_ args: String..., env: [String: String] = [:]) async throws -> CommandResult {
    try await runProcess(Repo.dcagent, args, environment: env)
}

/// A free TCP port on 127.0.0.1 (bound, read, closed).
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A minimal HTTP/1.1 GET on loopback; returns status and body, or nil when nothing listens.
func httpGet(port: Int, path: String) -> (status: Int, body: String)? {
    httpExchange(port: port, path: path).map { ($0.status, $0.body) }
}

/// The same, with the response's header lines (`Content-Type: …`).
func httpExchange(port: Int, path: String) -> (status: Int, headers: [String], body: String)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var tv = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else { return nil }
    let req = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    _ = req.withCString { send(fd, $0, strlen($0), 0) }
    var data = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { break }
        data.append(contentsOf: buf[0..<n])
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let statusLine = text.split(separator: "\r\n").first else { return nil }
    let parts = statusLine.split(separator: " ")
    guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
    let headEnd = text.range(of: "\r\n\r\n")
    let body = headEnd.map { String(text[$0.upperBound...]) } ?? ""
    let headers: [String] = headEnd.map { Array(String(text[..<$0.lowerBound]).components(separatedBy: "\r\n").dropFirst()) } ?? []
    return (status, headers, body)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A `dcagent run` process with its log in a file, stopped by PID.
final class Daemon {
    let process = Process()
    let logPath: String
    let port: Int

    init(config: String, port: Int, logPath: String, environment: [String: String] = [:]) throws {
        self.port = port
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: Repo.dcagent)
        process.arguments = ["run", "--config", config]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }

    /// Waits until `/healthz` answers. The bound is 60 s: at the crowded start of a full run on 2
    /// cores (many daemons and peers starting at once) 20 s ran out for daemons that were
    /// already listening.
    func waitHealthy() async throws {
        try await waitUntil(timeout: .seconds(60), "dcagent /healthz on port \(port); log:\n\(log)") {
            if !process.isRunning { throw TestFailure("dcagent exited early with \(process.terminationStatus); log:\n\(log)") }
            return httpGet(port: port, path: "/healthz")?.status == 200
        }
    }

    func signal(_ sig: Int32) { kill(pid, sig) }

    /// Waits until the log holds `text`. Services log from their own tasks, so a line may be
    /// written after the effect a test has already seen over HTTP; a test never reads the log once.
    func waitForLog(_ text: String, timeout: Duration = .seconds(20)) async throws {
        try await waitUntil(timeout: timeout, "'\(text)' in the log:\n\(log)") { log.contains(text) }
    }

    /// Sends SIGTERM and waits for the exit; SIGKILL if it does not stop in time.
    @discardableResult
    func stop() async throws -> Int32 {
        if process.isRunning { kill(pid, SIGTERM) }
        do {
            try await waitUntil(timeout: .seconds(20), "dcagent to stop") { !process.isRunning }
        } catch {
            kill(pid, SIGKILL)
            throw error
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// A minimal config for tests: one site, the database and HTTP port given; `storage` adds keys
/// of the storage section (indented two spaces), `extra` whole sections.
func testConfig(dir: TempDir, port: Int, name: String = "test-agent", storage: String = "", http: String = "", extra: String = "") -> String {
    dir.write(
        "dcagent.yaml",
        """
        agent:
          name: \(name)
        sites:
          - id: DC
            name: Test DC
            time_zone: Asia/Jakarta
        storage:
          path: \(dir.file("dcagent.sqlite"))
        \(storage)
        http:
          port: \(port)
        \(http)
        logging:
          level: info
        \(extra)
        """)
}
