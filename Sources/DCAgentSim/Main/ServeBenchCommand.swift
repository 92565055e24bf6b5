import ArgumentParser
import Foundation

/// `dcagent-sim serve-bench`: static registers served as fast as libmodbus can, for benchmarks.
struct ServeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-bench",
        abstract: "Serve N units of M static holding and input registers (value = unit × 1000 + address).")

    @Option(help: "Listen address (loopback).")
    var host = "127.0.0.1"

    @Option(help: "TCP port.")
    var port: Int

    @Option(help: "Unit ids 1…N.")
    var units = 1

    @Option(help: "Holding and input registers per unit.")
    var registers = 1000

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
            for u in 1...units {
                var image = ModbusImage(layout: layout)
                for a in 0..<registers {
                    let v = UInt16(truncatingIfNeeded: u * 1000 + a)
                    image.holding[a] = v
                    image.input[a] = v
                    image.discreteInputs[a] = UInt8(a & 1)
                }
                table.publish(unit: UInt8(u), image: image)
            }
            let endpoint = Endpoint("tcp://\(host):\(port)")!
            let server = ModbusTCPServer(endpoint: endpoint, units: table)
            let stop = StopSignal()
            try server.start()
            log("serve-bench \(endpoint): \(units) unit(s) × \(registers) registers; Ctrl-C stops")
            while !stop.wait(3600) {}
            server.stop()
        } catch let error as SimError {
            log(.error, error.description)
            throw ExitCode.failure
        }
    }
}
