import Foundation

/// A child process started with posix_spawn and managed by its PID alone: output to a
/// log file, default signal dispositions restored (the simulator ignores SIGPIPE and
/// catches SIGINT/SIGTERM itself), reaped with waitpid. Foundation's `Process` is not
/// used because a child that was SIGSTOPped and then terminated was never reaped by it.
final class ChildProcess {
    /// The child's PID.
    let pid: pid_t
    private var exited = false

    /// Starts `path` with `arguments` and the environment `environment`, stdout and stderr
    /// appended to `logFile`, stdin from /dev/null.
    init(path: String, arguments: [String], environment: [String: String], logFile: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, s) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &mask)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw SimError.state(file: path, "cannot start: \(String(cString: strerror(rc)))")
        }
        pid = child
    }

    /// True until the child has exited (and been reaped).
    var isRunning: Bool {
        if exited { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid || (r < 0 && errno == ECHILD) { exited = true }
        return !exited
    }

    /// Sends `signal` while the child runs.
    func send(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    /// Stops the child by its PID: SIGCONT (in case it is paused) and SIGTERM, then SIGKILL
    /// after `grace` seconds; returns once it is reaped.
    func terminate(grace: Double = 2) {
        guard isRunning else { return }
        kill(pid, SIGCONT)
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            exited = true
        }
    }

    deinit { terminate() }
}
