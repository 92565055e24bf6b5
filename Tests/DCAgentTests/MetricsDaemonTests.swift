import Foundation
import GRDB
import TestSupport
import Testing

/// `GET /metrics` and `GET /readyz` of a real `dcagent run` polling the simulator, read as
/// Prometheus reads them: the exposition is parsed by the Prometheus project's own Python parser
/// (prometheus-client's `text_string_to_metric_families`, from the peers' venv), and the sensor
/// gauge is checked against the store.
@Suite("Metrics: /metrics and /readyz of a running daemon fed by the simulator", .serialized, .timeLimit(.minutes(5)))
struct MetricsDaemonTests {
    /// One sample as the parser read it.
    struct Sample: Decodable {
        var family: String
        var type: String
        var name: String
        var labels: [String: String]
        var value: String
        var number: Double? { Double(value) }
    }

    /// Parses an exposition with prometheus-client's parser; a text it refuses fails the test.
    static func parse(_ text: String, dir: TempDir) async throws -> [Sample] {
        guard PythonPeers.isInstalled else { throw TestFailure(PythonPeers.missingMessage) }
        let file = dir.write("scrape.txt", text)
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for f in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
                for s in f.samples:
                    out.append({"family": f.name, "type": f.type, "name": s.name, "labels": s.labels, "value": repr(s.value)})
            print(json.dumps(out))
            """
        let r = try await runProcess(PythonPeers.python, ["-c", script, file])
        guard r.status == 0 else { throw TestFailure("the Prometheus parser refused the exposition: \(r.stderr)\n\(text)") }
        return try JSONDecoder().decode([Sample].self, from: Data(r.stdout.utf8))
    }

    /// The latest good sample of a point in the store: (time ms, value).
    static func latest(_ db: String, _ point: String) async throws -> (Int64, Double)? {
        var c = Configuration()
        c.readonly = true
        return try await DatabaseQueue(path: db, configuration: c).read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT s.t, s.value FROM samples s JOIN points p ON p.id = s.point_id
                    WHERE p.key = ? AND s.quality = 0 ORDER BY s.t DESC LIMIT 1
                    """, arguments: [point]
            ).map { ($0[0], $0[1]) }
        }
    }

    @Test("the sensor gauge carries the point's site, room, rack and unit and the store's last good value; poll, writer, rules and event metrics are there; /readyz is 200")
    func scrape() async throws {
        let dir = TempDir()
        let modbusPort = freePort()
        let httpPort = freePort()
        let cfg = testConfig(
            dir: dir, port: httpPort,
            extra: """
                profiles:
                  directory: \(Repo.root)/config/profiles
                floor: { import_on_first_start: \(Repo.root)/config/floor/demo.yaml }
                rules: { file: \(Repo.root)/config/rules/default.yaml, evaluate_every: 1s }
                sensors:
                  - id: DC-R01-TH1
                    profile: generic-th-probe
                    endpoint: tcp://127.0.0.1:\(modbusPort)
                    unit: 1
                    rack: DC-R01
                    interval: 1s
                  - id: DC-R02-TH1
                    profile: generic-th-probe
                    endpoint: tcp://127.0.0.1:\(modbusPort)
                    unit: 2
                    rack: DC-R02
                    interval: 500ms
                    timeout: 300ms
                """)
        let sim = try DemoFlowTests.Simulator(config: cfg, state: dir.file("sim"), log: dir.file("sim.log"))
        try await waitUntil(timeout: .seconds(60), "the simulator's Modbus gateway") { DemoFlowTests.tcpAnswers(modbusPort) }
        _ = sim
        let daemon = try Daemon(config: cfg, port: httpPort, logPath: dir.file("daemon.log"))
        try await daemon.waitHealthy()

        // Ready once the rules engine has started; every check then says ok.
        var ready: (status: Int, body: String)?
        try await waitUntil("/readyz 200; last \(String(describing: ready)); log:\n\(daemon.log)") {
            ready = httpGet(port: httpPort, path: "/readyz")
            return ready?.status == 200
        }
        let readyJSON = try #require(try JSONSerialization.jsonObject(with: Data(ready!.body.utf8)) as? [String: Any])
        #expect(readyJSON["ready"] as? Bool == true, "\(ready!.body)")
        #expect(readyJSON["checks"] as? [String: String] == ["http": "ok", "rules": "ok", "store": "ok", "writer": "ok"], "\(ready!.body)")
        #expect(readyJSON["not_ready"] as? [String] == [], "\(ready!.body)")

        // A scrape between two reads of the store that saw the same last reading: the gauge
        // must hold that reading's value (the last committed good value).
        let db = dir.file("dcagent.sqlite")
        let point = "DC-R01-TH1/temperature"
        var samples: [Sample] = []
        var text = ""
        var headers: [String] = []
        var seen = "nothing yet"
        try await waitUntil(timeout: .seconds(40), "the gauge of \(point) equal to the store's last good value; \(seen); log:\n\(daemon.log)") {
            guard let before = try await Self.latest(db, point) else { return false }
            guard let r = httpExchange(port: httpPort, path: "/metrics"), r.status == 200 else { return false }
            guard let after = try await Self.latest(db, point), after == before else { return false }
            guard r.body.contains(point) else { return false }
            (text, headers) = (r.body, r.headers)
            samples = try await Self.parse(text, dir: dir)
            let gauge = samples.first { $0.name == "dcagent_sensor_value" && $0.labels["point"] == point }
            seen = "store \(before), gauge \(gauge?.value ?? "none")"
            return gauge?.number == before.1
        }
        #expect(headers.contains { $0.lowercased().hasPrefix("content-type: text/plain; version=0.0.4") }, "\(headers)")

        let gauge = try #require(samples.first { $0.name == "dcagent_sensor_value" && $0.labels["point"] == point })
        #expect(gauge.type == "gauge")
        #expect(
            gauge.labels == ["site": "DC", "room": "DC-H1", "rack": "DC-R01", "point": point, "quantity": "temperature", "unit": "°C"],
            "\(gauge.labels)")
        #expect((15.0...35.0).contains(gauge.number ?? .nan), "a simulated inlet temperature: \(gauge.value)")

        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { s in s.name == name && labels.allSatisfy { k, v in s.labels[k] == v } }?.number
        }
        func family(_ name: String) -> String? { samples.first { $0.family == name }?.type }

        // Polls: a histogram per device, and its failures counted.
        #expect(family("dcagent_poll_duration_seconds") == "histogram")
        #expect((value("dcagent_poll_duration_seconds_count", ["device": "DC-R01-TH1"]) ?? 0) >= 1)
        #expect(value("dcagent_poll_duration_seconds_bucket", ["device": "DC-R01-TH1", "le": "+Inf"]) != nil)
        #expect(family("dcagent_poll_failures") == "counter")
        #expect(value("dcagent_poll_failures_total", ["device": "DC-R01-TH1"]) == 0)
        #expect(value("dcagent_device_up", ["device": "DC-R01-TH1"]) == 1)
        // The writer: its queue, what it committed and dropped.
        #expect(family("dcagent_writer_queue_readings") == "gauge")
        #expect(value("dcagent_writer_queue_readings") != nil)
        #expect((value("dcagent_writer_committed_readings_total") ?? 0) >= 1)
        #expect((value("dcagent_writer_batches_total") ?? 0) >= 1)
        #expect(value("dcagent_writer_dropped_readings_total") == 0)
        #expect(value("dcagent_writer_stuck") == 0)
        #expect(value("dcagent_rules_dropped_readings_total") == 0)
        // The rules: evaluation time per input (batches and ticks).
        #expect(family("dcagent_rules_evaluation_seconds") == "histogram")
        #expect((value("dcagent_rules_evaluation_seconds_count", ["input": "batch"]) ?? 0) >= 1)
        // Events by state and severity: every combination is a series, 0 when none.
        let eventSeries = samples.filter { $0.name == "dcagent_events" }
        #expect(family("dcagent_events") == "gauge")
        #expect(
            Set(eventSeries.map { "\($0.labels["state"] ?? "")/\($0.labels["severity"] ?? "")" }).isSuperset(of: [
                "firing/info", "firing/warning", "firing/critical", "resolved/info", "resolved/warning", "resolved/critical",
            ]), "\(eventSeries.map(\.labels))")
        #expect(eventSeries.allSatisfy { ($0.number ?? -1) >= 0 && $0.number == ($0.number ?? 0).rounded() })
        print("metrics: \(samples.count) samples in \(Set(samples.map(\.family)).count) families for 2 polled devices")

        // A device that stops answering: its failed polls are counted and it goes down.
        let inject = try await runProcess(DemoFlowTests.simBinary, ["inject", "sensor-offline", "--sensor", "DC-R02-TH1", "--state", dir.file("sim")])
        #expect(inject.status == 0, "\(inject.output)")
        var failures: Double?
        var up: Double?
        try await waitUntil(timeout: .seconds(40), "DC-R02-TH1 failures counted and down; failures \(String(describing: failures)), up \(String(describing: up))") {
            guard let r = httpGet(port: httpPort, path: "/metrics"), r.status == 200 else { return false }
            let s = try await Self.parse(r.body, dir: dir)
            failures = s.first { $0.name == "dcagent_poll_failures_total" && $0.labels["device"] == "DC-R02-TH1" }?.number
            up = s.first { $0.name == "dcagent_device_up" && $0.labels["device"] == "DC-R02-TH1" }?.number
            return (failures ?? 0) >= 3 && up == 0
        }
        #expect(try await daemon.stop() == 0)
    }
}
