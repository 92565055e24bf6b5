import ArgumentParser
import Foundation

/// `dcagent-sim status`: the simulated sensors, their latest values and active injections.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Print the simulated sensors and the active injections.")

    @Option(help: "State directory of the simulator.")
    var state: String

    @Flag(help: "Print status.json as it is.")
    var json = false

    func run() throws {
        let dir = try StateDirectory(state, create: false)
        guard let status = try StateDirectory.read(SimStatus.self, from: dir.status) else {
            print("no simulator status in \(dir.path)")
            throw ExitCode.failure
        }
        if json {
            print(String(decoding: try StateDirectory.encoder().encode(status), as: UTF8.self))
            return
        }
        let age = Date().timeIntervalSince(status.updated)
        let alive = status.running && kill(status.pid, 0) == 0 && age < max(5, 5 * status.tick)
        print("dcagent-sim pid \(status.pid): \(alive ? "running" : "not running"), updated \(Int(age)) s ago")
        for s in status.sensors {
            let flags = [s.offline ? "OFFLINE" : nil, s.frozen ? "FROZEN" : nil].compactMap { $0 }.joined(
                separator: ",")
            let values = s.values.map(Self.format).joined(separator: "  ")
            let unit = s.unit.map { " unit \($0)" } ?? ""
            print(
                "  \(s.id)  \(s.profile.rawValue)  \(s.endpoint)\(unit)  rack \(s.rack ?? "-")  \(flags.isEmpty ? "ok" : flags)"
            )
            print("      \(values)")
        }
        let active = try InjectionStore(dir).load().filter { $0.isActive(at: Date()) }
        print(active.isEmpty ? "no active injections" : "active injections:")
        for i in active { print("  \(i.line)") }
    }

    /// `name=value unit`, integers for states, counts and times.
    private static func format(_ v: SummaryValue) -> String {
        let whole = ["state", "count", "unix s"].contains(v.unit)
        return whole
            ? "\(v.name)=\(Int(v.value.rounded())) \(v.unit)" : String(format: "%@=%.2f %@", v.name, v.value, v.unit)
    }
}
