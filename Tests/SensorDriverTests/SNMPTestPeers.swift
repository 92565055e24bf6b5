import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// A small private peer harness for the SNMP tests (the lead folds it into TestSupport):
// start a process by PID with its output in a log file, wait until a real SNMP probe answers,
// stop it by PID. One snmpsim and one snmpd per test run, shared by the SNMP suites.

/// Paths the SNMP tests use.
enum SNMPTestPaths {
    /// The repository root, from this file's path.
    static let repo = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    /// Tests/SensorDriverTests/SNMPPeers.
    static let peers = repo.appendingPathComponent("Tests/SensorDriverTests/SNMPPeers")
    /// config/profiles.
    static let profiles = repo.appendingPathComponent("config/profiles")
    /// The venv with snmpsim.
    static var venv: URL { URL(fileURLWithPath: PythonPeers.venv) }
    /// The real AP8641 recording shipped by snmpsim-data.
    static var apcRecording: URL? {
        let lib = venv.appendingPathComponent("lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for py in pythons.sorted() {
            let u = lib.appendingPathComponent("\(py)/site-packages/snmpsim_data/data/UPS/apc-8641.snmprec")
            if FileManager.default.fileExists(atPath: u.path) { return u }
        }
        return nil
    }
}

/// Processes started by the SNMP tests, killed by PID when the test process exits.
enum SNMPPeerPIDs {
    static let running = Mutex<Set<Int32>>([])
    private static let hook: Void = { atexit { SNMPPeerPIDs.stopAll() } }()

    static func add(_ pid: Int32) {
        _ = hook
        running.withLock { _ = $0.insert(pid) }
    }

    /// SIGTERM, up to `grace` for the processes to exit, then SIGKILL (snmpsim 1.2 ignores SIGTERM
    /// while its dispatcher waits).
    /// Stops every peer; removes their temp folders unless `DCAGENT_KEEP_PEER_LOGS` is set.
    static func stopAll() {
        stop(running.withLock { $0 })
        guard ProcessInfo.processInfo.environment["DCAGENT_KEEP_PEER_LOGS"] == nil else { return }
        for dir in folders.withLock({ $0 }) { try? FileManager.default.removeItem(at: dir) }
    }

    /// Temp folders of the peers (configs, data, logs).
    static let folders = Mutex<[URL]>([])

    static func stop(_ pids: Set<Int32>, grace: Duration = .seconds(2)) {
        for pid in pids { kill(pid, SIGTERM) }
        let clock = ContinuousClock()
        let end = clock.now + grace
        var left = pids
        while !left.isEmpty, clock.now < end {
            left = left.filter { isAlive($0) }
            if !left.isEmpty { usleep(20_000) }
        }
        for pid in left {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
        }
    }
}

/// Starts `executable` with posix_spawn, stdin from /dev/null, stdout and stderr to `log`.
/// (Foundation's `Process` is not used: on Linux its reaper thread can block in `wait4` on a
/// long-running peer and leave `waitUntilExit` of a short-lived probe hanging.)
func spawn(_ executable: String, _ arguments: [String], environment: [String: String], log: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard rc == 0 else { throw PeerError(text: "posix_spawn \(executable) failed: \(rc)") }
    return pid
}

/// True while `pid` (a child of this process) has not exited; reaps it when it has.
func isAlive(_ pid: pid_t) -> Bool {
    waitpid(pid, nil, WNOHANG) == 0
}

/// A peer process: output to a log file, stopped by PID.
final class SNMPPeerProcess: Sendable {
    let pid: Int32
    let log: URL
    let port: UInt16

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], log: URL, port: UInt16)
        throws
    {
        self.pid = try spawn(executable, arguments, environment: environment, log: log.path)
        self.log = log
        self.port = port
        SNMPPeerPIDs.add(pid)
    }

    /// Waits until `snmpget` of `oid` with `auth` answers, or throws with the log's tail.
    func waitReady(auth: [String], oid: String, deadline: Duration = .seconds(30)) throws {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while clock.now < end {
            guard isAlive(pid) else { break }
            if Self.snmpget(auth + ["-t", "0.3", "-r", "0", "127.0.0.1:\(port)", oid], log: log.path) { return }
        }
        let tail = (try? String(contentsOf: log, encoding: .utf8)).map { String($0.suffix(2000)) } ?? ""
        throw PeerError(text: "peer pid \(pid) on port \(port) not ready; log \(log.path):\n\(tail)")
    }

    /// Stops the peer by its PID: SIGTERM, two seconds' grace, then SIGKILL.
    func stop() {
        SNMPPeerPIDs.stop([pid])
        SNMPPeerPIDs.running.withLock { _ = $0.remove(pid) }
    }

    /// Runs net-snmp's `snmpget` once (the readiness probe); true when the agent answered.
    static func snmpget(_ args: [String], log: String) -> Bool {
        guard let pid = try? spawn("/usr/bin/snmpget", args, environment: ["MIBS": ""], log: "/dev/null") else {
            return false
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status == 0
    }
}

struct PeerError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}

/// A free UDP port on 127.0.0.1 (bound to port 0, read back, released).
func freeUDPPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw PeerError(text: "socket failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
        }
    }
    guard bound else { throw PeerError(text: "bind failed") }
    return UInt16(bigEndian: addr.sin_port)
}

/// A fresh temporary directory readable by everyone (snmpsim runs as nobody).
func makeTempDir(_ name: String) throws -> URL {
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
        "dcagent-snmp-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    chmod(dir.path, 0o777)
    SNMPPeerPIDs.folders.withLock { $0.append(dir) }
    return dir
}

/// snmpsim 1.2 serving the real AP8641 recording and the synthetic Raritan and AKCP tables.
/// The community is the recording's file name.
final class SNMPSimPeer: Sendable {
    static let shared = Result { try SNMPSimPeer() }

    let peer: SNMPPeerProcess
    var port: UInt16 { peer.port }

    private init() throws {
        guard let apc = SNMPTestPaths.apcRecording else {
            throw PeerError(text: "snmpsim-data's UPS/apc-8641.snmprec not found under \(SNMPTestPaths.venv.path)")
        }
        let root = try makeTempDir("snmpsim")
        let data = root.appendingPathComponent("data")
        let cache = root.appendingPathComponent("cache")
        let logs = root.appendingPathComponent("logs")
        for d in [data, cache, logs] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            chmod(d.path, 0o777)
        }
        try FileManager.default.copyItem(at: apc, to: data.appendingPathComponent("apc-8641.snmprec"))
        for name in ["raritan-px3", "akcp-sensorprobe"] {
            try FileManager.default.copyItem(
                at: SNMPTestPaths.peers.appendingPathComponent("\(name).snmprec"),
                to: data.appendingPathComponent("\(name).snmprec"))
        }
        for f in try FileManager.default.contentsOfDirectory(atPath: data.path) {
            chmod(data.appendingPathComponent(f).path, 0o644)
        }
        let port = try freeUDPPort()
        peer = try SNMPPeerProcess(
            SNMPTestPaths.venv.appendingPathComponent("bin/snmpsim-command-responder").path,
            [
                "--data-dir=\(data.path)", "--cache-dir=\(cache.path)", "--agent-udpv4-endpoint=127.0.0.1:\(port)",
                "--process-user=nobody", "--process-group=nogroup",
                "--logging-method=file:\(logs.appendingPathComponent("snmpsim.log").path)",
            ], log: root.appendingPathComponent("stdout.log"), port: port)
        try peer.waitReady(auth: ["-v2c", "-c", "apc-8641"], oid: "1.3.6.1.4.1.318.1.1.26.4.3.1.5.1")
    }
}

/// Debian's snmpd with a v1/v2c community, v3 users (authPriv and authNoPriv) and a pass_persist
/// script serving an rPDU2 table (and a test counter branch) whose values the test sets.
final class SNMPDPeer: Sendable {
    static let shared = Result { try SNMPDPeer() }

    /// v3 users: name, auth, priv (nil = authNoPriv). Every pair Debian's net-snmp 5.9.3 offers is tried.
    static let users: [(String, String, String?)] = [
        ("u-sha-aes", "SHA", "AES"),
        ("u-sha256-aes256", "SHA-256", "AES-256"),
        ("u-sha512-aes192", "SHA-512", "AES-192"),
        ("u-sha224-aes256", "SHA-224", "AES-256"),
        ("u-sha384-aes", "SHA-384", "AES"),
        ("u-md5-des", "MD5", "DES"),
        ("u-sha256-noPriv", "SHA-256", nil),
    ]
    /// A user only ever tried with a wrong key (net-snmp keeps one USM user list per process,
    /// so a user that already worked keeps its keys for that engine).
    static let wrongKeyUser = "u-never-right"
    static let community = "dcpublic"
    static let authKey = "authpass123"
    static let privKey = "privpass123"

    let peer: SNMPPeerProcess
    let state: URL
    var port: UInt16 { peer.port }

    private init() throws {
        let root = try makeTempDir("snmpd")
        state = root.appendingPathComponent("state.json")
        try Data("{}".utf8).write(to: state)
        let script = SNMPTestPaths.peers.appendingPathComponent("rpdu2_pass_persist.py").path
        var conf = "rocommunity \(Self.community) 127.0.0.1\n"
        for (user, auth, priv) in Self.users {
            conf += "createUser \(user) \(auth) \(Self.authKey)" + (priv.map { " \($0) \(Self.privKey)" } ?? "") + "\n"
            conf += "rouser \(user) \(priv == nil ? "auth" : "priv")\n"
        }
        conf +=
            "createUser \(Self.wrongKeyUser) SHA \(Self.authKey) AES \(Self.privKey)\nrouser \(Self.wrongKeyUser) priv\n"
        for branch in [".1.3.6.1.4.1.318.1.1.26", ".1.3.6.1.4.1.99999"] {
            conf += "pass_persist \(branch) /usr/bin/python3 \(script) \(state.path)\n"
        }
        let confURL = root.appendingPathComponent("snmpd.conf")
        try Data(conf.utf8).write(to: confURL)
        let persist = root.appendingPathComponent("persist")
        try FileManager.default.createDirectory(at: persist, withIntermediateDirectories: true)
        let port = try freeUDPPort()
        peer = try SNMPPeerProcess(
            "/usr/sbin/snmpd", ["-f", "-Lo", "-C", "-c", confURL.path, "udp:127.0.0.1:\(port)"],
            environment: ["MIBS": "", "SNMP_PERSISTENT_DIR": persist.path],
            log: root.appendingPathComponent("snmpd.log"), port: port)
        try peer.waitReady(auth: ["-v2c", "-c", Self.community], oid: "1.3.6.1.2.1.1.3.0")
    }

    /// Replaces what the pass_persist script serves: OID → (pass_persist type, value).
    func serve(_ values: [String: (String, String)]) throws {
        var object: [String: [String]] = [:]
        for (oid, (kind, value)) in values { object[oid] = [kind, value] }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let tmp = state.appendingPathExtension("tmp")
        try data.write(to: tmp)
        _ = rename(tmp.path, state.path)
    }
}
