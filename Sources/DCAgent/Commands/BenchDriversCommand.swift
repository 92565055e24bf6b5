import ArgumentParser
import DCAgentServer
import Foundation
import Logging
import SensorDrivers
import Telemetry

extension BenchCommand {
    /// `dcagent bench modbus-read`: CPU time of the Modbus driver per 100 000 register values,
    /// reading N units × M holding registers (one uint16 point each) through the real planner,
    /// libmodbus context and decoder, from `dcagent-sim serve-bench` or any server.
    struct ModbusRead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "modbus-read", abstract: "CPU time of the Modbus driver per 100 000 register values.")
        @Option(help: "tcp://HOST:PORT of the server.") var endpoint: String
        @Option(help: "Unit ids 1…N.") var units: Int = 4
        @Option(help: "Holding registers per unit.") var registers: Int = 500
        @Option(help: "Register values to read in all.") var values: Int = 200_000

        func run() async throws {
            let points = (0..<registers).map { i in
                ModbusPointSpec(name: "r\(i)", quantity: .status, unit: .none, kind: .holding, address: "\(i)", type: .uint16)
            }
            let profile = DeviceProfile(name: "bench", modbus: ModbusProfileSpec(base: .zeroBased, kind: .holding, points: points))
            let catalog = ProfileCatalog([profile])
            let pool = ModbusBusPool()
            let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
            var readers: [ModbusDeviceReader] = []
            for u in 1...units {
                readers.append(
                    try await ModbusDeviceReader.make(
                        ModbusSensorConfig(id: CIID(unchecked: "BENCH-U\(u)"), profile: "bench", endpoint: endpoint, unit: u, interval: .seconds(1)),
                        catalog: catalog, pool: pool, logger: logger))
            }
            print("plan per unit: \(readers[0].plan.summary)")
            let rounds = max(1, values / (units * registers))
            let ((read, bad), cpu, secs) = try await BenchCommand.measure {
                var (read, bad) = (0, 0)
                for _ in 0..<rounds {
                    for r in readers {
                        let rs = try await r.readOnce(now: .now)
                        read += rs.count
                        bad += rs.filter { !$0.isUsable }.count
                    }
                }
                return (read, bad)
            }
            print(
                String(
                    format: "modbus: %d register values (%d units x %d registers x %d rounds) in %.2f s wall, CPU %.3f s = %.3f CPU-s per 100 000 values, %d bad",
                    read, units, registers, rounds, secs, cpu, cpu * 100_000 / Double(max(read, 1)), bad))
        }
    }

    /// `dcagent bench snmp-walk`: CPU time of the SNMP driver per 100 000 varbinds, walking a
    /// subtree of a real agent with GETBULK over and over.
    struct SNMPWalk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "snmp-walk", abstract: "CPU time of the SNMP driver per 100 000 varbinds (GETBULK walks).")
        @Option(help: "udp://HOST:PORT of the agent.") var endpoint: String
        @Option(help: "Community (v2c).") var community: String = "public"
        @Option(help: "Subtree to walk.") var root: String = "1.3.6.1.2.1"
        @Option(help: "Varbinds to read in all.") var varbinds: Int = 100_000

        func run() async throws {
            guard case .snmp(let host, let port)? = ConfigValidator.parseEndpoint(endpoint), let oid = SNMPOID(root) else {
                throw ValidationError("need udp://HOST:PORT and a numeric OID")
            }
            let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
            let client = SNMPClient(
                target: SNMPTarget(host: host, port: UInt16(port), version: .v2c(community: Secret(community)), timeout: 2, retries: 1), logger: logger)
            let ((n, walks), cpu, secs) = try await BenchCommand.measure {
                var (n, walks) = (0, 0)
                while n < varbinds {
                    let vb = try await client.walk(oid, maxRepetitions: 50)
                    guard !vb.isEmpty else { throw ValidationError("the walk of \(root) returned nothing") }
                    n += vb.count
                    walks += 1
                }
                return (n, walks)
            }
            print(
                String(
                    format: "snmp: %d varbinds in %d walks of %@ in %.2f s wall, CPU %.3f s = %.3f CPU-s per 100 000 varbinds",
                    n, walks, root, secs, cpu, cpu * 100_000 / Double(n)))
        }
    }
}

extension BenchCommand {
    /// Runs `body` once; returns its result, the process CPU seconds and the wall seconds it took.
    static func measure<T>(_ body: () async throws -> T) async rethrows -> (T, cpu: Double, wall: Double) {
        let cpu0 = Ingest.cpuSeconds()
        let clock = ContinuousClock()
        let t0 = clock.now
        let result = try await body()
        return (result, Ingest.cpuSeconds() - cpu0, t0.duration(to: clock.now).inSeconds)
    }
}
