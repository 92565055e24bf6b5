import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private Request Tracker 5 for the ITSM tests (DESIGN "Real peers for tests"): the Debian
/// packages installed by `scripts/install-rt`, but none of the system instance. Each instance
/// lives in a temp directory with its own SQLite database, site config and Mason caches;
/// RT reads them through `RT_SITE_CONFIG` and `RT_SITE_CONFIG_DIR` (RT::Config honours both),
/// so `/etc/request-tracker5` is never read for settings nor written. It holds the queues
/// `Incidents`, `Problems` and `Changes`, the custom fields `DCAgent-DedupKey`, `DCAgent-FirstSeen`, `DCAgent-CI`,
/// `DCAgent-Severity` on it, and a privileged user `dcagent` with the rights the adapter needs,
/// whose random password and an RT auth token sit in 0600 files (never in an argument, never logged).
/// `rt-server` (Starlet, prefork) listens on 127.0.0.1 on a free port; ``stop()`` and
/// ``start()`` signal only the master's PID (it stops its workers).
public final class RequestTracker: @unchecked Sendable {
    /// The instance shared by the suites that need it, created on first use, stopped at exit.
    public static let shared = SharedPeer<RequestTracker> { try await RequestTracker.create() }

    /// Where Debian puts RT's programs.
    public static let rtServer = "/usr/share/request-tracker5/libexec/rt-server"
    public static let setupDatabase = "/usr/sbin/rt-setup-database-5"
    public static let shredder = "/usr/sbin/rt-shredder-5"

    /// True when the Debian packages are installed.
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: rtServer) && FileManager.default.isExecutableFile(atPath: setupDatabase)
    }

    /// The message to show when RT is missing.
    public static let missingMessage = "Request Tracker 5 not installed: run scripts/bootstrap --test (scripts/install-rt)"

    /// The user the adapter logs in as.
    public let user = "dcagent"
    /// The queues and the custom fields the instance holds.
    public static let queue = "Incidents"
    public static let problemQueue = "Problems"
    public static let changeQueue = "Changes"
    public static let customFields = ["DCAgent-DedupKey", "DCAgent-FirstSeen", "DCAgent-CI", "DCAgent-Severity"]

    /// The loopback port rt-server listens on (kept across ``stop()`` / ``start()``).
    public private(set) var port: Int
    /// `http://127.0.0.1:PORT` (the instance's `$WebBaseURL`; `$WebPath` is empty).
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The temp directory that holds everything.
    public let directory: String
    /// The file that holds the user's password (mode 0600).
    public let passwordFile: String
    /// The file that holds an RT auth token for the user (mode 0600), made by the datafile.
    public let tokenFile: String
    /// How long the last ``create()`` took from the empty directory to a ready server, and
    /// how long the last ``start()`` took.
    public private(set) var setupDuration: Duration = .zero
    public private(set) var startDuration: Duration = .zero

    private let lock = NSLock()
    private var server: RTServerProcess?

    private init(port: Int, directory: String) {
        self.port = port
        self.directory = directory
        self.passwordFile = directory + "/password"
        self.tokenFile = directory + "/token"
    }

    /// The environment that points RT's programs at this instance.
    public var environment: [String: String] {
        [
            "RT_SITE_CONFIG": directory + "/RT_SiteConfig.pm",
            "RT_SITE_CONFIG_DIR": directory + "/RT_SiteConfig.d",
            "DCAGENT_RT_PASSWORD_FILE": passwordFile,
            "DCAGENT_RT_TOKEN_FILE": tokenFile,
        ]
    }

    /// The user's password, read from ``passwordFile``.
    public func password() throws -> String {
        try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The user's auth token, read from ``tokenFile``.
    public func token() throws -> String {
        try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The running server, if any.
    var process: RTServerProcess? { lock.withLock { server } }

    /// True while rt-server's master runs.
    public var isRunning: Bool { process?.isRunning ?? false }

    /// Builds a fresh instance in a new temp directory and starts its server, on `port` or a
    /// free one.
    public static func create(port: Int? = nil) async throws -> RequestTracker {
        guard isInstalled else { throw PeerStartError(reason: missingMessage, logPath: "", logTail: "") }
        let clock = ContinuousClock()
        let began = clock.now
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dcagent-rt-\(UUID().uuidString)").path
        let fm = FileManager.default
        for sub in ["RT_SiteConfig.d", "var/mason_data", "var/session_data"] {
            try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true)
        }
        let rt = RequestTracker(port: port ?? FreePort.tcp(), directory: dir)
        Leftovers.shared.add(dir)
        try siteConfig(dir: dir, port: rt.port).write(toFile: dir + "/RT_SiteConfig.pm", atomically: true, encoding: .utf8)
        try initialData.write(toFile: dir + "/initialdata", atomically: true, encoding: .utf8)
        try writePassword(to: rt.passwordFile)

        // Schema, ACL, core data and RT's own initial data; then ours (queue, CFs, user, rights).
        let steps: [[String]] = [
            ["--action", "init", "--skip-create"],
            ["--action", "insert", "--datafile", dir + "/initialdata", "--skip-create"],
        ]
        for args in steps {
            let run = try await BoundedProcess.run(setupDatabase, args, environment: rt.environment, timeout: .seconds(120))
            guard run.status == 0 else {
                throw PeerStartError(reason: "rt-setup-database-5 \(args.joined(separator: " ")) failed", logPath: dir, logTail: run.description)
            }
        }
        let database = clock.now - began
        // The free port may be taken by another program before rt-server binds it (it then
        // exits with "RT couldn't start up a web server on port N"): pick another, up to three times.
        for attempt in 1...3 {
            do {
                try await rt.start()
                break
            } catch let error as PeerStartError where attempt < 3 && error.logTail.contains("couldn't start up a web server on port") {
                rt.port = FreePort.tcp()
                try siteConfig(dir: dir, port: rt.port).write(toFile: dir + "/RT_SiteConfig.pm", atomically: true, encoding: .utf8)
            }
        }
        rt.setupDuration = clock.now - began
        FileHandle.standardError.write(Data(
            "[RequestTracker] private RT 5 on \(rt.baseURL) in \(rt.directory): ready in \(rt.setupDuration) (database \(database), rt-server \(rt.startDuration))\n".utf8))
        return rt
    }

    /// Starts rt-server on ``port`` and waits, bounded, until `/REST/2.0/` answers HTTP.
    public func start(timeout: Duration = .seconds(90)) async throws {
        if let running = process, running.isRunning { return }
        let clock = ContinuousClock()
        let began = clock.now
        let peer = try RTServerProcess.spawn(
            executable: Self.rtServer, arguments: ["--host", "127.0.0.1", "--port", String(port), "--max-workers", "3"],
            environment: environment, logPath: directory + "/rt-server.log")
        lock.withLock { server = peer }
        do {
            try await waitUntil(timeout: timeout, poll: .milliseconds(100), "rt-server on \(port) answering /REST/2.0/") {
                guard peer.isRunning else {
                    throw PeerStartError(reason: "rt-server exited before it was ready", logPath: peer.logPath, logTail: peer.logTail())
                }
                // RT answers 401 without credentials (anything else on the port is not our RT).
                return Self.httpStatus(port: port, path: "/REST/2.0/") == 401
            }
        } catch {
            await peer.stop()
            lock.withLock { server = nil }
            throw error
        }
        peer.registerWorkers()
        startDuration = clock.now - began
    }

    /// Stops rt-server: SIGTERM to the master's PID (it stops its workers), SIGKILL to the
    /// master and each worker by PID if they outlive the grace; then waits, bounded, until the
    /// port refuses connections.
    public func stop() async throws {
        guard let peer = lock.withLock({ server }) else { return }
        await peer.stop()
        lock.withLock { server = nil }
        try await waitUntil(timeout: .seconds(10), "rt-server on \(port) gone") { !FreePort.acceptsTCP(port) }
    }

    /// Removes a ticket from the database for good, as an administrator would with
    /// `rt-shredder` (a REST2 DELETE only sets the status `deleted`).
    public func shred(ticket id: Int) async throws {
        let run = try await BoundedProcess.run(
            Self.shredder,
            ["--plugin", "Tickets=query,id = \(id)", "--force", "--sqldump", directory + "/shredder-\(id).sql"],
            environment: environment, timeout: .seconds(60))
        guard run.status == 0 else { throw PeerStartError(reason: "rt-shredder-5 failed", logPath: directory, logTail: run.description) }
    }

    /// The last lines of rt-server's log, for failure messages.
    public func logTail() -> String { process?.logTail() ?? "(rt-server not running)" }

    // MARK: Setup files

    static func writePassword(to path: String) throws {
        var bytes = [UInt8](repeating: 0, count: 24)
        let fd = open("/dev/urandom", O_RDONLY)
        guard fd >= 0, read(fd, &bytes, bytes.count) == bytes.count else { throw CocoaError(.fileReadUnknown) }
        close(fd)
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        let password = String(bytes.map { alphabet[Int($0) % alphabet.count] })
        guard FileManager.default.createFile(atPath: path, contents: Data(password.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    static func siteConfig(dir: String, port: Int) -> String {
        """
        # DCAgent test peer: a private RT instance (Tests/TestSupport/RequestTracker.swift).
        Set($rtname, 'dcagent-test');
        Set($Organization, 'dcagent-test');
        Set($CorrespondAddress, 'rt@dcagent-test.invalid');
        Set($CommentAddress, 'rt-comment@dcagent-test.invalid');
        Set($DatabaseType, 'SQLite');
        Set($DatabaseName, '\(dir)/rt.db');
        Set($WebDomain, '127.0.0.1');
        Set($WebPort, \(port));
        Set($WebPath, '');
        Set($WebBaseURL, 'http://127.0.0.1:\(port)');
        Set($MailCommand, 'testfile');
        Set($MasonDataDir, '\(dir)/var/mason_data');
        Set($MasonSessionDir, '\(dir)/var/session_data');
        Set($LogToSyslog, undef);
        Set($LogToFile, undef);
        Set($LogToSTDERR, 'error');
        Set($Timezone, 'UTC');
        1;

        """
    }

    /// The queue, the custom fields applied to it, the user and its rights, for
    /// `rt-setup-database-5 --action insert --datafile`. The password is read from the file
    /// named by `DCAGENT_RT_PASSWORD_FILE`.
    static let initialData = """
        # DCAgent test peer: what the RT adapter needs (docs/itsm.md).
        my $password = do {
            open my $fh, '<', $ENV{DCAGENT_RT_PASSWORD_FILE} or die "password file: $!";
            local $/; my $p = <$fh>; close $fh; $p =~ s/\\s+\\z//; $p;
        };
        my @cfs = qw(DCAgent-DedupKey DCAgent-FirstSeen DCAgent-CI DCAgent-Severity);
        my @queues = qw(Incidents Problems Changes);
        @Queues = map { { Name => $_, Description => "DCAgent $_", CorrespondAddress => '', CommentAddress => '' } } @queues;
        @CustomFields = map { {
            Name => $_, Type => 'FreeformSingle', LookupType => 'RT::Queue-RT::Ticket',
            Queue => [@queues], Description => "DCAgent $_",
        } } @cfs;
        @Users = ({ Name => 'dcagent', Password => $password, Privileged => 1,
                    EmailAddress => 'dcagent@dcagent-test.invalid', RealName => 'DCAgent' });
        @ACL = (
            (map { my $q = $_; map { { UserId => 'dcagent', Queue => $q, Right => $_ } }
                qw(SeeQueue ShowTicket CreateTicket ModifyTicket ReplyToTicket CommentOnTicket
                   ShowTicketComments DeleteTicket) } @queues),
            (map { my $cf = $_; map { my $q = $_; map { { UserId => 'dcagent', CF => $cf, Queue => $q, Right => $_ } }
                qw(SeeCustomField ModifyCustomField SetInitialCustomField) } @queues } @cfs),
        );
        # An auth token for the user, written to the file named by DCAGENT_RT_TOKEN_FILE (0600).
        @Final = (sub {
            my $user = RT::User->new(RT->SystemUser);
            $user->Load('dcagent') or die "user dcagent not found";
            my $token = RT::AuthToken->new(RT->SystemUser);
            my ($ok, $msg, $authstring) = $token->Create(Owner => $user->id, Description => 'DCAgent tests');
            die "auth token: $msg" unless $ok;
            my $old = umask 077;
            open my $fh, '>', $ENV{DCAGENT_RT_TOKEN_FILE} or die "token file: $!";
            print $fh $authstring; close $fh;
            umask $old;
        });
        1;

        """

    // MARK: HTTP probe

    /// The status code of `GET path` on 127.0.0.1:port over HTTP/1.0, nil when nothing answers
    /// (a one-second receive bound).
    public static func httpStatus(port: Int, path: String) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = FreePort.loopback(port: port)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        var got = 0
        while got < 12 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, 64 - got, 0) }
            guard n > 0 else { break }
            got += n
        }
        // "HTTP/1.x NNN"
        let line = String(decoding: buffer[0..<got], as: UTF8.self)
        guard line.hasPrefix("HTTP/"), let space = line.firstIndex(of: " ") else { return nil }
        return Int(line[line.index(after: space)...].prefix(3))
    }
}

/// rt-server as a child: spawned with an empty signal mask and default signal actions (a
/// child of `Foundation.Process` here inherits the test process's mask, SIGTERM blocked, so
/// Starlet's master and workers would ignore SIGTERM), output to a log file, reaped by
/// `waitpid`. Its workers are its children; they are found in `/proc` and signalled by PID.
final class RTServerProcess: @unchecked Sendable {
    let pid: pid_t
    let logPath: String
    private let lock = NSLock()
    private var exited = false
    private var workers: [pid_t] = []

    private init(pid: pid_t, logPath: String) {
        self.pid = pid
        self.logPath = logPath
    }

    static func spawn(executable: String, arguments: [String], environment: [String: String], logPath: String) throws -> RTServerProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        for (k, v) in environment { env[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        guard rc == 0 else { throw PeerStartError(reason: "posix_spawn \(executable): \(rc)", logPath: logPath, logTail: "") }
        let server = RTServerProcess(pid: pid, logPath: logPath)
        Leftovers.shared.add(server)
        return server
    }

    /// True until the master has exited (and was reaped here).
    var isRunning: Bool {
        lock.withLock {
            if exited { return false }
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || (r == -1 && errno == ECHILD) { exited = true }
            return !exited
        }
    }

    /// The PIDs whose parent is the master (Starlet's workers), from `/proc`.
    func children() -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { name -> pid_t? in
            guard let child = pid_t(name),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // "pid (comm) state ppid ..."
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }

    /// Remembers the workers (they outlive a master killed with SIGKILL).
    func registerWorkers() {
        let found = children()
        lock.withLock { workers = found }
    }

    /// At process exit: SIGTERM to the master, up to 5 s for it (and so its workers) to exit and
    /// be reaped, then SIGKILL to what is left. Blocking: no async context is left by then.
    func stopAtExit() {
        let seen = Set(lock.withLock { workers } + children())
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if isRunning { kill(pid, SIGKILL) }
        for w in seen.union(children()) where isLiveServer(w) { kill(w, SIGKILL) }
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    /// SIGTERM to the master; after `grace`, SIGKILL to the master and to each worker seen.
    func stop(grace: Duration = .seconds(10)) async {
        let seen = Set(lock.withLock { workers } + children())
        if isRunning { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now.advanced(by: grace)
        while isRunning || seen.contains(where: isLiveServer), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let left = seen.union(children())
        if isRunning { kill(pid, SIGKILL) }
        for w in left where isLiveServer(w) { kill(w, SIGKILL) }
        let reapBy = ContinuousClock.now.advanced(by: .seconds(5))
        while isRunning, ContinuousClock.now < reapBy { try? await Task.sleep(for: .milliseconds(20)) }
        Leftovers.shared.remove(self)
    }

    /// True when `pid` is a live (not zombie) rt-server process (a worker PID is checked
    /// again before it is signalled, in case it was reused).
    private func isLiveServer(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")"),
            let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return false }
        let running = stat[stat.index(after: close)...].split(separator: " ").first != "Z"
        return running && String(decoding: cmdline, as: UTF8.self).contains("rt-server")
    }

    func logTail(lines: Int = 30) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// What the test process leaves when it exits: rt-servers still running are stopped (SIGTERM,
/// so the master stops and reaps its workers), then the instances' directories (each holds a
/// password and a token file) are removed.
final class Leftovers: @unchecked Sendable {
    static let shared = Leftovers()
    private let lock = NSLock()
    private var dirs: [String] = []
    private var servers: [ObjectIdentifier: RTServerProcess] = [:]
    private var hooked = false

    private func hook() {
        if !hooked {
            hooked = true
            atexit { Leftovers.shared.atExit() }
        }
    }

    func add(_ dir: String) { lock.withLock { dirs.append(dir); hook() } }
    func add(_ server: RTServerProcess) { lock.withLock { servers[ObjectIdentifier(server)] = server; hook() } }
    func remove(_ server: RTServerProcess) { _ = lock.withLock { servers.removeValue(forKey: ObjectIdentifier(server)) } }

    func atExit() {
        let (running, all) = lock.withLock { (Array(servers.values), dirs) }
        for server in running { server.stopAtExit() }
        for dir in all { try? FileManager.default.removeItem(atPath: dir) }
    }
}
