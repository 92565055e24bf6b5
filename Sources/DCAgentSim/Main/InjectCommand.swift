import ArgumentParser
import Foundation
import Telemetry

extension InjectionKind: ExpressibleByArgument {}

/// `dcagent-sim inject`: stores an anomaly for the running simulator to apply.
struct InjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inject",
        abstract: "Inject an anomaly (or `clear` them all); the running simulator picks it up within a tick.",
        discussion: "Kinds: \(InjectionKind.allCases.map(\.rawValue).joined(separator: ", ")).")

    @Argument(help: "What to inject.")
    var kind: InjectionKind

    @Option(help: "Rack id (or its last part: R05 matches DC-R05).")
    var rack: String?

    @Option(help: "Sensor id.")
    var sensor: String?

    @Option(help: "How long it lasts, e.g. 90s, 10m, 1h (default: until `clear`).")
    var duration: String?

    @Option(help: "Size: °C for hot-spot (default 10–15 at random), factor for particle-burst (default 100).")
    var magnitude: Double?

    @Option(help: "State directory of the running simulator.")
    var state: String

    func validate() throws {
        if rack != nil && sensor != nil { throw ValidationError("give --rack or --sensor, not both") }
        if let duration, DurationText.seconds(duration, bareSeconds: true) == nil {
            throw ValidationError("--duration '\(duration)' is not a duration such as 90s, 10m, 1h")
        }
    }

    func run() throws {
        do {
            let dir = try StateDirectory(state, create: true)
            let store = InjectionStore(dir)
            let now = Date()
            if kind == .clear {
                let n = try store.load().filter { $0.isActive(at: now) }.count
                try store.save([])
                print("cleared \(n) injection(s)")
                return
            }
            var size = magnitude
            if size == nil && kind == .hotSpot { size = (Double.random(in: 10...15) * 10).rounded() / 10 }
            if size == nil && kind == .particleBurst { size = 100 }
            let target = sensor ?? rack ?? "all"
            let injection = Injection(
                id: "\(kind.rawValue)@\(target)#\(Int(now.timeIntervalSince1970 * 1000))", kind: kind, rack: rack,
                sensor: sensor, magnitude: size, started: now,
                expires: duration.flatMap { DurationText.seconds($0, bareSeconds: true) }.map { now.addingTimeInterval($0) })
            let hit = try checkTarget(injection, dir: dir)
            let kept = try store.load().filter { $0.isActive(at: now) }
            try store.save(kept + [injection])
            print("injected \(injection.line)")
            if let hit { print("  acts on: \(hit.joined(separator: ", "))") }
        } catch let error as SimError {
            FileHandle.standardError.write(Data("dcagent-sim: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The ids of the sensors the injection acts on (nil when no simulator status exists yet);
    /// refuses an injection that would act on no sensor of the running simulator.
    private func checkTarget(_ injection: Injection, dir: StateDirectory) throws -> [String]? {
        guard let status = try StateDirectory.read(SimStatus.self, from: dir.status) else {
            FileHandle.standardError.write(
                Data("dcagent-sim: no status in \(dir.path); stored for the next run\n".utf8))
            return nil
        }
        let sensors = status.sensors.compactMap { s in
            Endpoint(s.endpoint).map {
                SimSensor(id: s.id, profile: s.profile, endpoint: $0, unit: s.unit, rack: s.rack)
            }
        }
        let hit = sensors.filter { injection.applies(to: $0) }
        guard hit.isEmpty else { return hit.map(\.id) }
        let racks = Set(sensors.compactMap(\.rack)).sorted().joined(separator: ", ")
        throw SimError.injection(
            "\(injection.kind.rawValue) on \(injection.targetText) acts on no simulated sensor (racks: \(racks))")
    }
}
