import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the harness knows a peer is ready.
public enum ReadinessProbe: Sendable {
    /// Something accepts TCP connections on 127.0.0.1:port.
    case tcpConnect(port: Int)
    /// A UDP datagram to 127.0.0.1:port gets any reply.
    case udp(port: Int, probe: [UInt8])
    /// The peer's log file contains this text.
    case logLine(String)
    /// A file (a socat pty link) exists.
    case fileExists(String)
}

/// Why a peer could not be started.
public struct PeerStartError: Error, CustomStringConvertible {
    /// What happened.
    public let reason: String
    /// The peer's log file.
    public let logPath: String
    /// The last lines of the log.
    public let logTail: String

    public var description: String { "\(reason) (log \(logPath)):\n\(logTail)" }
}

/// A test peer running as a child process (DESIGN decision 13): output to a log file under a
/// temp directory (never a pipe), started and found ready by a probe, stopped by its PID with
/// SIGTERM then SIGKILL. Peers still running when the test process exits are killed by an
/// atexit hook.
public final class PeerProcess: Sendable {
    /// The child's PID.
    public let pid: Int32
    /// The file that holds the child's standard output and error.
    public let logPath: String
    /// A name for messages.
    public let name: String
    private let process: Process

    private init(process: Process, name: String, logPath: String) {
        self.process = process
        self.pid = process.processIdentifier
        self.name = name
        self.logPath = logPath
    }

    /// Starts `executable` with `arguments` and extra `environment`, and waits until `readiness`
    /// holds (or throws after `timeout`, with the log's tail in the error).
    public static func start(
        name: String, executable: String, arguments: [String], environment: [String: String] = [:],
        readiness: ReadinessProbe, timeout: Duration = .seconds(15)
    ) async throws -> PeerProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-peer-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let logPath = dir.appendingPathComponent("\(name).log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        // Through `exec`, the child inherits the test process's blocked signals (SIGTERM among
        // them, as /proc/PID/status's SigBlk shows): it would ignore the polite stop and wait
        // out the grace for SIGKILL. A Python one-liner unblocks every signal, sets the usual
        // dispositions back and execs the peer in its place (same PID).
        process.executableURL = URL(fileURLWithPath: PeerProcess.signalReset[0])
        process.arguments = Array(PeerProcess.signalReset.dropFirst()) + [executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        let peer = PeerProcess(process: process, name: name, logPath: logPath)
        PeerRegistry.shared.add(peer.pid)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !peer.isReady(readiness) {
            guard process.isRunning else {
                PeerRegistry.shared.remove(peer.pid)
                throw PeerStartError(
                    reason: "\(name) exited with status \(process.terminationStatus) before it was ready", logPath: logPath,
                    logTail: peer.logTail())
            }
            guard ContinuousClock.now < deadline else {
                peer.stop()
                throw PeerStartError(reason: "\(name) not ready within \(timeout)", logPath: logPath, logTail: peer.logTail())
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return peer
    }

    /// The command that runs a program with no signal blocked and SIGTERM, SIGINT, SIGHUP and
    /// SIGPIPE at their default dispositions: `…signalReset, executable, args…`.
    static let signalReset = [
        "/usr/bin/python3", "-c",
        "import os, signal, sys\n"
            + "signal.pthread_sigmask(signal.SIG_SETMASK, [])\n"
            + "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE): signal.signal(s, signal.SIG_DFL)\n"
            + "os.execv(sys.argv[1], sys.argv[1:])",
    ]

    /// True while the child runs.
    public var isRunning: Bool { process.isRunning }

    /// The signal that ended the child, once it has ended by one (SIGTERM after a polite
    /// ``stop(grace:)``, SIGKILL when it had to be forced); nil while it runs or after an exit.
    public var exitSignal: Int32? {
        guard !process.isRunning, process.terminationReason == .uncaughtSignal else { return nil }
        return process.terminationStatus
    }

    /// Stops the child: SIGTERM, then SIGKILL after `grace`. Only this PID is signalled.
    public func stop(grace: Duration = .seconds(3)) {
        PeerRegistry.shared.remove(pid)
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: grace)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The last `lines` lines of the log, for failure messages.
    public func logTail(lines: Int = 30) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private func isReady(_ probe: ReadinessProbe) -> Bool {
        switch probe {
        case .tcpConnect(let port): FreePort.acceptsTCP(port)
        case .udp(let port, let bytes): FreePort.answersUDP(port, probe: bytes)
        case .logLine(let text): ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").contains(text)
        case .fileExists(let path): FileManager.default.fileExists(atPath: path)
        }
    }
}

/// PIDs of running peers, killed when the test process exits.
final class PeerRegistry: @unchecked Sendable {
    static let shared = PeerRegistry()
    private let lock = NSLock()
    private var pids: Set<Int32> = []
    private var hooked = false

    func add(_ pid: Int32) {
        lock.withLock {
            pids.insert(pid)
            if !hooked {
                hooked = true
                atexit { PeerRegistry.shared.killAll() }
            }
        }
    }

    func remove(_ pid: Int32) { _ = lock.withLock { pids.remove(pid) } }

    func killAll() {
        let all = lock.withLock { pids }
        for pid in all { kill(pid, SIGKILL) }
    }
}

/// One peer per test run, started on first use and shared by the suites that need it
/// (suites using it are `.serialized`); stopped at process exit.
public actor SharedPeer<Value: Sendable> {
    private let starter: @Sendable () async throws -> Value
    private var value: Value?

    /// Creates the holder; `start` runs once, on the first ``get()``.
    public init(start: @escaping @Sendable () async throws -> Value) { self.starter = start }

    /// The running peer, started on first call; a failed start is retried on the next call.
    public func get() async throws -> Value {
        if let value { return value }
        let v = try await starter()
        value = v
        return v
    }
}
