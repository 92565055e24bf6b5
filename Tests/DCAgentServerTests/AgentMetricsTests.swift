import AgentStore
@testable import DCAgentServer
import SensorDrivers
import Telemetry
import Testing

/// The daemon's metrics in process: each instance has its own registry, so two daemons in one
/// process (and these tests) never share numbers or crash on a second global bootstrap.
@Suite("Agent metrics: instruments and exposition", .timeLimit(.minutes(1)))
struct AgentMetricsTests {
    static let temp = PointID("DC-R09-TH1/temperature")!
    static let hum = PointID("DC-R09-TH1/humidity")!

    static func batch(_ items: [IngestItem]) -> CommittedBatch { CommittedBatch(items: items) }

    static func line(_ text: String, _ prefix: String) -> String? {
        text.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
    }

    @Test("a committed batch sets each point's gauge to its last good reading, labelled by place, quantity and unit")
    func sensorGauges() {
        let m = AgentMetrics()
        m.locate(floors: [], sensors: [(id: "DC-R09-TH1", rack: "DC-R09")], sites: ["DC"])
        let t = Timestamp(milliseconds: 1_796_000_000_000)
        m.committed(
            Self.batch([
                .points([PointDescriptor(id: Self.temp, quantity: .temperature, unit: .celsius)]),
                .readings([
                    Reading(point: Self.temp, time: t, value: 24.5),
                    Reading(point: Self.temp, time: Timestamp(milliseconds: t.milliseconds + 1000), value: 25.25),
                    // Not good: the gauge keeps the last good value.
                    Reading(point: Self.temp, time: Timestamp(milliseconds: t.milliseconds + 2000), value: 80, quality: .uncertain),
                    .missing(Self.hum, at: t, .bad(reason: "timeout")),
                ]),
            ]))
        let text = m.scrape(AgentMetrics.Scrape(writer: .init(queued: 0, dropped: 0, acknowledged: 3, batches: 1, stuck: false)))
        let line = Self.line(text, "dcagent_sensor_value{")
        #expect(
            line == #"dcagent_sensor_value{site="DC",room="",rack="DC-R09",point="DC-R09-TH1/temperature",quantity="temperature",unit="°C"} 25.25"#,
            "\(text)")
        #expect(!text.contains("DC-R09-TH1/humidity"), "a point with no good reading has no series")

        // The device's sensors are removed by a reload: its series go.
        m.retire(["DC-R09-TH1"])
        #expect(!m.scrape(AgentMetrics.Scrape(writer: .init(queued: 0, dropped: 0, acknowledged: 3, batches: 1, stuck: false))).contains("dcagent_sensor_value{"))
    }

    @Test("label values are escaped as the text format asks; many points come out one line each, ordered by point")
    func escapingAndOrder() {
        #expect(AgentMetrics.escape(#"a\b"c"# + "\n") == #"a\\b\"c\n"#)
        #expect(AgentMetrics.escape("°C") == "°C")
        let m = AgentMetrics()
        m.locate(floors: [], sensors: [], sites: ["DC"])
        let t = Timestamp(milliseconds: 1_796_000_000_000)
        let points = (0..<300).map { PointID(ci: CIID(validating: "DC-R01-TH\($0)")!, name: "temperature")! }
        m.committed(Self.batch([.readings(points.enumerated().map { Reading(point: $1, time: t, value: Double($0)) })]))
        let text = m.scrape(AgentMetrics.Scrape(writer: .init()))
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("dcagent_sensor_value{") }
        #expect(lines.count == 300)
        #expect(lines.map { String($0.split(separator: "point=\"")[1].prefix { $0 != "\"" }) } == points.sorted().map { $0.description })
        #expect(text.split(separator: "\n").filter { $0 == "# TYPE dcagent_sensor_value gauge" }.count == 1)
    }

    @Test("the writer's running totals become counters that step by their growth; events of every state and severity exist")
    func scrapeTotals() {
        let m = AgentMetrics()
        var scrape = AgentMetrics.Scrape(writer: .init(queued: 7, dropped: 2, acknowledged: 100, batches: 4, stuck: false))
        scrape.events = [EventCount(state: "firing", severity: "warning", count: 2)]
        var text = m.scrape(scrape)
        #expect(Self.line(text, "dcagent_writer_queue_readings ") == "dcagent_writer_queue_readings 7.0")
        #expect(Self.line(text, "dcagent_writer_dropped_readings_total ") == "dcagent_writer_dropped_readings_total 2")
        #expect(Self.line(text, "dcagent_writer_committed_readings_total ") == "dcagent_writer_committed_readings_total 100")
        #expect(Self.line(text, #"dcagent_events{state="firing",severity="warning"}"#) == #"dcagent_events{state="firing",severity="warning"} 2.0"#)
        #expect(Self.line(text, #"dcagent_events{state="resolved",severity="critical"}"#) == #"dcagent_events{state="resolved",severity="critical"} 0.0"#)
        scrape.writer = .init(queued: 0, dropped: 5, acknowledged: 150, batches: 6, stuck: true)
        scrape.events = []
        text = m.scrape(scrape)
        #expect(Self.line(text, "dcagent_writer_dropped_readings_total ") == "dcagent_writer_dropped_readings_total 5")
        #expect(Self.line(text, "dcagent_writer_committed_readings_total ") == "dcagent_writer_committed_readings_total 150")
        #expect(Self.line(text, "dcagent_writer_stuck ") == "dcagent_writer_stuck 1.0")
        #expect(Self.line(text, #"dcagent_events{state="firing",severity="warning"}"#) == #"dcagent_events{state="firing",severity="warning"} 0.0"#)
    }

    @Test("polls and rule evaluations are histograms in seconds; failures a counter per device")
    func histograms() {
        let m = AgentMetrics()
        m.polled(PollOutcome(device: "DC-R09-TH1", took: .milliseconds(20), failed: false))
        m.polled(PollOutcome(device: "DC-R09-TH1", took: .milliseconds(300), failed: true))
        m.evaluated(.tick, took: .microseconds(300))
        let text = m.scrape(AgentMetrics.Scrape(writer: .init()))
        #expect(text.contains("# TYPE dcagent_poll_duration_seconds histogram"), "\(text)")
        #expect(Self.line(text, #"dcagent_poll_duration_seconds_bucket{device="DC-R09-TH1",le="0.025"}"#)?.hasSuffix(" 1") == true, "\(text)")
        #expect(Self.line(text, #"dcagent_poll_duration_seconds_count{device="DC-R09-TH1"}"#)?.hasSuffix(" 2") == true, "\(text)")
        #expect(Self.line(text, #"dcagent_poll_failures_total{device="DC-R09-TH1"}"#) == #"dcagent_poll_failures_total{device="DC-R09-TH1"} 1"#)
        #expect(Self.line(text, #"dcagent_rules_evaluation_seconds_count{input="tick"}"#)?.hasSuffix(" 1") == true, "\(text)")
    }

    @Test("the global bootstrap happens once per process; a second daemon's metrics stay its own")
    func bootstrapOnce() {
        let first = AgentMetrics()
        let second = AgentMetrics()
        _ = AgentMetrics.bootstrapOnce(first)
        #expect(AgentMetrics.bootstrapOnce(second) == false, "a second bootstrap is refused, not a crash")
        second.polled(PollOutcome(device: "B", took: .milliseconds(1), failed: true))
        let empty = AgentMetrics.Scrape(writer: .init())
        #expect(second.scrape(empty).contains(#"device="B""#))
        #expect(!first.scrape(empty).contains(#"device="B""#))
    }
}
