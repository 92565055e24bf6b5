import AgentStore
import ArgumentParser
import FloorModel
import Foundation
import Telemetry

/// `dcagent device add|move`: change one device on the stored floor through the one fit check
/// (DESIGN decision 9); a refusal names every problem and writes nothing.
struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device", abstract: "Add or move a device on the stored floor, checked by the fit check.", subcommands: [Add.self, Move.self])

    /// Where a device goes: rack, lowest unit and face, parsed once for both commands.
    struct Placement: ParsableArguments {
        @Option(help: "The rack.") var rack: String
        @Option(help: "Lowest unit (10, or 10.5 for a half-unit type); omit for a 0U device.") var position: Double?
        @Option(help: "front or rear.") var face: String = "front"
        @Flag(help: "Only say whether it fits; write nothing.") var dryRun = false

        func validate() throws {
            if !CIID.isValid(rack) { throw ValidationError("--rack: '\(rack)' is not a CI id") }
            if let position, HalfU(exactly: position) == nil { throw ValidationError("--position: \(position) is not a whole or half unit") }
            if RackFace(rawValue: face) == nil { throw ValidationError("--face must be front or rear, not '\(face)'") }
        }

        var rackID: CIID { CIID(unchecked: rack) }
        var halfU: HalfU? { position.flatMap(HalfU.init(exactly:)) }
        var rackFace: RackFace { RackFace(rawValue: face) ?? .front }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a new device to the floor of its rack's site.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The new device's CI id (unused in every site).") var id: String
        @Option(help: "Its device type (slug in the site's library).") var type: String
        @OptionGroup var placement: Placement
        @Option(help: "Human name (default: the id).") var name: String?
        @Option(name: .customLong("power-w"), help: "Power to plan with, W (default: the type's draw).") var powerW: Double?
        @Option(help: "A PDU it draws from (repeat for A and B).") var pdu: [String] = []
        @Option(help: "planned, staged or active.") var lifecycle: String = "planned"

        func validate() throws {
            if !CIID.isValid(id) { throw ValidationError("'\(id)' is not a CI id (1–64 letters, digits, '-', '_' or '.')") }
            if Lifecycle(rawValue: lifecycle) == nil { throw ValidationError("--lifecycle: '\(lifecycle)' is not a lifecycle state") }
            if let bad = pdu.first(where: { !CIID.isValid($0) }) { throw ValidationError("--pdu: '\(bad)' is not a CI id") }
        }

        func run() throws {
            let device = Device(
                id: CIID(unchecked: id), name: name, type: type, rack: placement.rackID, position: placement.halfU, face: placement.rackFace,
                allocatedPowerW: powerW, poweredBy: pdu.map(CIID.init(unchecked:)), lifecycle: Lifecycle(rawValue: lifecycle) ?? .planned)
            try config.withStore(readOnly: placement.dryRun, floorErrors: true) { store in
                if placement.dryRun {
                    try DeviceCommand.printPreview(try store.floor.fitPreview(adding: device), device: id, rack: placement.rack)
                    return
                }
                let by = try actor.resolve(in: store, needs: .engineer, action: "change the floor")
                let edit = try store.floor.addDevice(device, actor: by.name)
                print("added \(edit.device.id) (\(edit.device.type)) to \(DeviceCommand.place(edit.device)); floor revision \(edit.revision)")
            }
        }
    }

    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a device within its site; moved to another rack it keeps no PDU (re-cable it, then record the PDUs).")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The device's CI id.") var id: String
        @OptionGroup var placement: Placement

        func run() throws {
            try config.withStore(readOnly: placement.dryRun, floorErrors: true) { store in
                let device = CIID(unchecked: id)
                if placement.dryRun {
                    let problems = try store.floor.fitPreview(
                        device: device, type: nil, rack: placement.rackID, position: placement.halfU, face: placement.rackFace)
                    try DeviceCommand.printPreview(problems, device: id, rack: placement.rack)
                    return
                }
                let by = try actor.resolve(in: store, needs: .engineer, action: "change the floor")
                let edit = try store.floor.moveDevice(device, to: placement.rackID, position: placement.halfU, face: placement.rackFace, actor: by.name)
                if !edit.changed {
                    print("\(id) is already at \(DeviceCommand.place(edit.device)); nothing written")
                } else {
                    let from = edit.before.map(DeviceCommand.place) ?? "nowhere"
                    print("moved \(id) from \(from) to \(DeviceCommand.place(edit.device)); floor revision \(edit.revision)")
                }
            }
        }
    }

    /// `T-R01 U10 front`, or `T-R01 0U front`.
    static func place(_ d: Device) -> String {
        "\(d.rack?.rawValue ?? "no rack") \(d.position.map { "U\($0)" } ?? "0U") \(d.face.rawValue)"
    }

    /// A dry run's answer: "fits", or each problem on its line and exit code 1.
    static func printPreview(_ problems: [FitProblem], device: String, rack: String) throws {
        if problems.isEmpty {
            print("\(device) fits in \(rack)")
        } else {
            print("\(device) does not fit in \(rack):")
            for p in problems { print("  \(p)") }
            throw ExitCode(1)
        }
    }
}
