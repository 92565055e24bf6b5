import ArgumentParser
import DCAgentServer

/// `dcagent`: the DCAgent daemon and its command-line tools.
@main
struct DCAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcagent",
        abstract: "DCAgent: data-center floor agent (sensors, floor model, contamination rules, ITSM events).",
        version: DCAgentVersion.string,
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, UserCommand.self, TokenCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self,
            ReadingsCommand.self, ProbeCommand.self, ProfilesCommand.self, BenchCommand.self,
            FloorCommand.self, RackCommand.self, DeviceCommand.self, CICommand.self, DeviceTypesCommand.self, ChecklistCommand.self, RulesCommand.self,
            EventsCommand.self, ITSMCommand.self, ProblemCommand.self, ChangeCommand.self, ObligationsCommand.self, MaintenanceCommand.self,
        ])
}

