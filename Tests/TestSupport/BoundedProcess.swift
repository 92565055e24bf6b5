import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a bounded run ended.
public struct BoundedRun: Sendable, CustomStringConvertible {
    /// The exit status, nil when the program did not exit on its own.
    public var status: Int32?
    /// The signal that ended it (a crash: SIGILL for a Swift trap, SIGSEGV, SIGABRT), nil otherwise.
    public var signal: Int32?
    /// True when it was still running at the bound and was killed.
    public var timedOut: Bool
    /// Standard output and standard error.
    public var stdout: String
    public var stderr: String
    /// How long it ran.
    public var elapsed: Duration

    public var output: String { stdout + stderr }

    public var description: String {
        let end = timedOut ? "killed after \(elapsed)" : signal.map { "killed by signal \($0)" } ?? "exit \(status ?? -1)"
        return "\(end) in \(elapsed)\n--- stdout:\n\(stdout.prefix(2000))\n--- stderr:\n\(stderr.prefix(2000))"
    }
}

/// Runs a short-lived program to completion or to a time bound, with its output in files (never
/// a pipe a child could hold open), and kills it by its PID when the bound passes. Waits with
/// `Task.sleep` between checks, so no thread of the cooperative pool is blocked.
public enum BoundedProcess {
    /// A file's bytes as text, invalid UTF-8 repaired (a program may echo the bytes it refused).
    static func text(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(20)
    ) async throws -> BoundedRun {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-bounded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path, err = dir.appendingPathComponent("err").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        for (k, v) in environment { env[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable): \(rc)"]) }

        let clock = ContinuousClock()
        let started = clock.now
        var status: Int32 = 0
        var timedOut = false
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if clock.now - started > timeout {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                timedOut = true
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = clock.now - started
        // WIFEXITED / WEXITSTATUS / WIFSIGNALED / WTERMSIG, spelled out (the C macros do not import).
        let termSignal = status & 0x7F
        return BoundedRun(
            status: !timedOut && termSignal == 0 ? (status >> 8) & 0xFF : nil,
            signal: !timedOut && termSignal != 0 && termSignal != 0x7F ? termSignal : nil, timedOut: timedOut,
            stdout: text(out), stderr: text(err),
            elapsed: elapsed)
    }
}
