import Foundation

/// One snmpd child serving one SNMP device: community `public`, the device's enterprise
/// subtree passed to `dcagent-sim snmp-bridge` by pass_persist. Stopped by its PID.
final class SnmpdProcess {
    /// How long snmpd may take to say it is up.
    static let startTimeout = 5.0

    let sensor: SimSensor
    private let snmpd: String
    private let arguments: [String]
    private let environment: [String: String]
    private let logFile: String
    private var child: ChildProcess?
    private var paused = false

    /// Writes the config and prepares (does not start) snmpd for `sensor`.
    init(sensor: SimSensor, dir: StateDirectory, snmpd: String, bridge: String) throws {
        guard let subtree = sensor.profile.snmpSubtree else {
            throw SimError.snmpd(sensor: sensor.id, "profile \(sensor.profile.rawValue) is not an SNMP profile")
        }
        self.sensor = sensor
        self.snmpd = snmpd
        let fm = FileManager.default
        let persist = dir.snmpdDir + "/\(sensor.id).persist"
        do {
            try fm.createDirectory(atPath: persist, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: dir.snmpDir, withIntermediateDirectories: true)
        } catch { throw SimError.snmpd(sensor: sensor.id, "cannot create \(persist): \(error.localizedDescription)") }
        let conf = dir.snmpdDir + "/\(sensor.id).conf"
        let text = """
            # Written by dcagent-sim for \(sensor.id) (\(sensor.profile.rawValue)); replaced on every start.
            rocommunity public
            pass_persist \(subtree) \(bridge) snmp-bridge --state \(dir.path) --device \(sensor.id)

            """
        logFile = dir.snmpdDir + "/\(sensor.id).log"
        guard fm.createFile(atPath: conf, contents: Data(text.utf8)), fm.createFile(atPath: logFile, contents: nil)
        else {
            throw SimError.snmpd(sensor: sensor.id, "cannot write \(conf) or \(logFile)")
        }
        arguments = ["-f", "-Lo", "-C", "-c", conf, "udp:\(sensor.endpoint.host):\(sensor.endpoint.port)"]
        var env = ProcessInfo.processInfo.environment
        env["MIBS"] = ""
        env["SNMP_PERSISTENT_DIR"] = persist
        environment = env
    }

    /// The child's PID (0 before start).
    var pid: Int32 { child?.pid ?? 0 }

    /// Starts snmpd and waits until its log says it runs; fails with the log's tail otherwise.
    func start() throws {
        let c: ChildProcess
        do {
            c = try ChildProcess(path: snmpd, arguments: arguments, environment: environment, logFile: logFile)
        } catch { throw SimError.snmpd(sensor: sensor.id, "\(error)") }
        child = c
        let deadline = Date().addingTimeInterval(Self.startTimeout)
        while Date() < deadline {
            if log().contains("NET-SNMP version") { return }
            if !c.isRunning { break }
            usleep(50_000)
        }
        let tail = log().split(separator: "\n").suffix(5).joined(separator: " | ")
        stop()
        throw SimError.snmpd(sensor: sensor.id, "snmpd on \(sensor.endpoint) did not start (log \(logFile)): \(tail)")
    }

    /// Freezes snmpd (SIGSTOP) or lets it answer again (SIGCONT); a frozen snmpd gives no answer at all, as a dead agent.
    func setPaused(_ pause: Bool) {
        guard pause != paused else { return }
        paused = pause
        child?.send(pause ? SIGSTOP : SIGCONT)
    }

    /// Stops snmpd by its PID (its pass_persist bridge exits when snmpd closes the pipe).
    func stop() {
        child?.terminate()
        child = nil
    }

    private func log() -> String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }
}
