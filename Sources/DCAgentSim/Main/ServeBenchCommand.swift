import ArgumentParser
import Foundation

/// `dcagent-sim serve-bench`: static registers served as fast as libmodbus can, for benchmarks.
struct ServeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-bench",
        abstract: "Serve N units of M static holding and input registers (value = unit × 1000 + address).",
        discussion: """
            With --stats FILE the server counts every Modbus request it receives (an atomic \
            counter on the server thread) and rewrites FILE atomically (temporary file + \
            rename) once a second and at exit, as one line of JSON:

              {"by_unit":{"1":{"3":120}},"registers":6000,"requests":120,"time":1765100000.5}

            requests: requests received since start.
            registers: registers and bits the read requests (functions 1-4) asked for.
            by_unit: requests per unit id, then per function code.
            time: when the counts were taken (seconds since the epoch).

            A harness reads the file before and after a window: the difference of "requests" \
            over the poll cycles in between is the requests per cycle (Benchmarks/polling.sh).
            """)

    @Option(help: "Listen address (loopback).")
    var host = "127.0.0.1"

    @Option(help: "TCP port.")
    var port: Int

    @Option(help: "Unit ids 1…N.")
    var units = 1

    @Option(help: "Holding and input registers per unit.")
    var registers = 1000

    @Option(help: "Write the request counts as JSON to this file every second (see below).")
    var stats: String?

    @Flag(
        help: """
            Add 1 to every holding and input register on odd seconds (value = unit × 1000 + address + \
            (second mod 2)): the values move by one step, so a poller's stuck-sensor rule does not fire \
            on a static image during a long benchmark.
            """)
    var vary = false

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1–65535") }
        guard (1...247).contains(units) else { throw ValidationError("--units must be 1–247") }
        guard (1...65536).contains(registers) else { throw ValidationError("--registers must be 1–65536") }
    }

    func run() throws {
        let log = SimLog()
        let layout = ModbusLayout(coils: registers, discreteInputs: registers, holding: registers, input: registers)
        var layouts: [UInt8: ModbusLayout] = [:]
        for u in 1...units { layouts[UInt8(u)] = layout }
        do {
            let table = try ModbusUnitTable(layouts: layouts)
            let units = self.units
            let registers = self.registers
            func publish(step: Int) {
                for u in 1...units {
                    var image = ModbusImage(layout: layout)
                    for a in 0..<registers {
                        let v = UInt16(truncatingIfNeeded: u * 1000 + a + step)
                        image.holding[a] = v
                        image.input[a] = v
                        image.discreteInputs[a] = UInt8(a & 1)
                    }
                    table.publish(unit: UInt8(u), image: image)
                }
            }
            publish(step: 0)
            let endpoint = Endpoint("tcp://\(host):\(port)")!
            let counter = stats.map { _ in RequestStats() }
            let server = ModbusTCPServer(endpoint: endpoint, units: table, stats: counter)
            let stop = StopSignal()
            try server.start()
            log("serve-bench \(endpoint): \(units) unit(s) × \(registers) registers; Ctrl-C stops")
            if let stats { writeStats(counter!, to: stats, log: log) }
            // Once a second: the counts written, the image moved (with --vary).
            while !stop.wait(stats != nil || vary ? 1 : 3600) {
                if vary { publish(step: Int(Date().timeIntervalSince1970) & 1) }
                if let stats { writeStats(counter!, to: stats, log: log) }
            }
            server.stop()
            if let stats { writeStats(counter!, to: stats, log: log) }
        } catch let error as SimError {
            log(.error, error.description)
            throw ExitCode.failure
        }
    }

    private func writeStats(_ counter: RequestStats, to path: String, log: SimLog) {
        do { try counter.write(to: path) } catch { log(.warning, "cannot write \(path): \(error)") }
    }
}
