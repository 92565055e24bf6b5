import ArgumentParser
import Foundation

/// `dcagent-sim snmp-bridge`: the pass_persist helper snmpd runs for one device.
struct SNMPBridgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snmp-bridge",
        abstract: "Answer snmpd's pass_persist protocol on stdin/stdout from a device's state file.")

    @Option(help: "State directory of the running simulator.")
    var state: String

    @Option(help: "The device's CI id.")
    var device: String

    func run() throws {
        let dir = try StateDirectory(state, create: false)
        var protocolState = PassPersist()
        while !protocolState.finished, let line = readLine(strippingNewline: true) {
            let out = protocolState.handle(line) { SNMPDeviceFile.read(device: device, in: dir)?.table }
            guard !out.isEmpty else { continue }
            FileHandle.standardOutput.write(Data((out.joined(separator: "\n") + "\n").utf8))
        }
    }
}
