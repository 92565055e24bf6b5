import ArgumentParser

/// `dcagent-sim`: the demo and benchmark simulator of DCAgent's sensors.
@main
struct DCAgentSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcagent-sim",
        abstract:
            "Simulates the demo site's sensors over Modbus TCP (libmodbus server) and SNMP (snmpd + pass_persist).",
        subcommands: [
            RunCommand.self, InjectCommand.self, StatusCommand.self, SNMPBridgeCommand.self, ServeBenchCommand.self,
        ])
}
