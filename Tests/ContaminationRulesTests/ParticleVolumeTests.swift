import ContaminationRules
import Telemetry
import Testing

/// A Lighthouse REMOTE reports each sample's time, not its volume (its register map puts the
/// record's location at 30005–06): the volume is the rated flow × the sample time.
@Suite("Particles: sample volume from flow × sample time", .timeLimit(.minutes(1)))
struct ParticleVolumeTests {
    static let counter: CIID = "DC-H1-PC1"
    static func p(_ name: String) -> PointID { PointID(ci: counter, name: name)! }

    static func topology(durationUnit: Unit = .second) -> RuleTopology {
        RuleTopology(
            rooms: [.init(id: "DC-H1")], devices: [.init(id: counter, room: "DC-H1")],
            points: [
                PointDescriptor(id: p("count.0.5um"), quantity: .particleCount, unit: .count),
                PointDescriptor(id: p("count.5.0um"), quantity: .particleCount, unit: .count),
                PointDescriptor(id: p("sample.duration"), quantity: .duration, unit: durationUnit),
                PointDescriptor(id: p("flow.measured"), quantity: .airflow, unit: .litrePerMinute),
            ])
    }

    static func engine(_ yaml: String) throws -> RuleEngine {
        RuleEngine(rules: try RuleCompiler.compile(try Floor.decode(yaml), topology: topology()))
    }

    /// ISO 14644-1 class 8 at 0.5 µm is 3 520 000 /m³ (Table 1). A 1 CFM counter (28.3 L/min)
    /// sampling 60 s draws 28.3 L = 0.0283 m³: 99 616 counts is exactly the class-8 limit.
    @Test("the class-8 limit at 0.5 µm, sampled at 28.3 L/min for 60 s, is ISO 8; one count more is not")
    func ratedFlow() throws {
        var e = try Self.engine(
            "rules: [{ id: particles, kind: particles, channels: { count.0.5um: 0.5 }, flow: 28.3, duration: sample.duration, target: 8 }]")
        let t = Floor.at(0)
        let at = e.ingest([Reading(point: Self.p("count.0.5um"), time: t, value: 99_616), Reading(point: Self.p("sample.duration"), time: t, value: 60)], now: t)
        #expect(at.derived.first { $0.point.name == "count.0.5um.per_m3" }?.value == 3_520_000)
        #expect(at.derived.first { $0.point.name == "iso_class" }?.value == 8)
        #expect(at.changes.isEmpty)
        let t2 = Floor.at(60)
        let over = e.ingest([Reading(point: Self.p("count.0.5um"), time: t2, value: 99_700), Reading(point: Self.p("sample.duration"), time: t2, value: 60)], now: t2)
        #expect(over.derived.first { $0.point.name == "iso_class" }?.value == 8.1)
        #expect(over.changes.map { "\($0.change) \($0.event.severity)" } == ["opened warning"])
    }

    @Test("a measured flow point is read with its sample")
    func flowPoint() throws {
        var e = try Self.engine(
            "rules: [{ id: particles, kind: particles, channels: { count.0.5um: 0.5 }, flow: flow.measured, duration: sample.duration }]")
        let t = Floor.at(0)
        let out = e.ingest(
            [Reading(point: Self.p("count.0.5um"), time: t, value: 1_000), Reading(point: Self.p("sample.duration"), time: t, value: 120),
             Reading(point: Self.p("flow.measured"), time: t, value: 2.5)], now: t)
        // 2.5 L/min × 2 min = 5 L: 1000 counts / 0.005 m³ = 200 000 /m³.
        #expect(out.derived.first { $0.point.name == "count.0.5um.per_m3" }?.value == 200_000)
    }

    @Test(
        "flow and duration are checked at compile time, naming the key",
        arguments: [
            ("flow: 28.3", "duration", "flow needs duration"),
            ("duration: sample.duration", "duration", "duration is used with flow only"),
            ("volume: sample.duration, flow: 28.3, duration: sample.duration", "flow", "give volume (a sample-volume point) or flow with duration, not both"),
            ("flow: 0, duration: sample.duration", "flow", "a flow must be above zero L/min, got 0.0"),
            ("flow: nothing, duration: sample.duration", "flow", "particle counter DC-H1-PC1 has no point 'nothing'"),
            ("flow: count.5.0um, duration: sample.duration", "flow", "point DC-H1-PC1/count.5.0um is in 'count'; a flow must be in L/min"),
        ])
    func badKeys(_ keys: String, _ key: String, _ message: String) throws {
        let yaml = "rules: [{ id: particles, kind: particles, channels: { count.0.5um: 0.5 }, \(keys) }]"
        let error = #expect(throws: RuleConfigError.self) { try RuleCompiler.compile(try Floor.decode(yaml), topology: Self.topology()) }
        #expect(error?.description.contains("key '\(key)'") == true, "\(String(describing: error))")
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }
}
