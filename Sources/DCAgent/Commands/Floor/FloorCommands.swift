import AgentStore
import ArgumentParser
import DCAgentServer
import FloorModel
import Foundation
import Telemetry

/// `dcagent floor import|export|render`: the floor in the database (DESIGN decision 3).
struct FloorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor", abstract: "Import, export and draw the floor.", subcommands: [Import.self, Export.self, Render.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a floor file (.yaml or .csv): each site in it replaces the stored site, all or nothing.")
        @OptionGroup var config: ConfigOption
        @OptionGroup var actor: ActorOption
        @Argument(help: "The floor file.") var file: String

        func run() throws {
            try config.withStore(floorErrors: true) { store in
                let by = try actor.resolve(in: store, needs: .engineer, action: "import the floor")
                let floors = try FloorFiles.read(file)
                let s = try store.floor.importFloors(floors, actor: by.name, source: file)
                print("imported \(s.sites.map(\.rawValue).joined(separator: ", ")) from \(file): " + s.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the stored floor as YAML or CSV.")
        @OptionGroup var config: ConfigOption
        @Option(help: "yaml or csv.") var format: String = "yaml"
        @Option(help: "Only this site.") var site: String?
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            if format != "yaml" && format != "csv" { throw ValidationError("--format must be yaml or csv, not '\(format)'") }
        }

        func run() throws {
            try config.withStore(readOnly: true, floorErrors: true) { store in
                var floors = try store.floor.floors()
                if let site {
                    floors = floors.filter { $0.site.id.rawValue == site }
                    if floors.isEmpty { throw StoreError.invalid("site \(site) is not stored") }
                }
                let text = format == "csv" ? FloorCSV.export(floors) : try FloorFiles.yaml(floors)
                if let out {
                    do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch { throw StoreError.io(out, "\(error)") }
                } else {
                    print(text, terminator: "")
                }
            }
        }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Draw a room's floor plan as SVG.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The room's CI id.") var room: String
        @Option(help: "Write the SVG here.") var svg: String
        @Option(help: "The point name racks are coloured by: the highest latest value of that point among the rack's sensors and PDUs (temperature, humidity, power, …).")
        var metric: String = "temperature"

        func run() throws {
            try config.withStore(readOnly: true, floorErrors: true) { store in
                let floor = try store.floor(containing: room)
                guard let r = floor.room(CIID(unchecked: room)) else { throw StoreError.invalid("\(room) is not a room") }
                // Live values: the latest usable reading of `metric` of each CI placed in a rack.
                var rackOf: [CIID: CIID] = [:]
                for s in floor.sensors { if let rack = s.rack { rackOf[s.id] = rack } }
                for pdu in floor.pdus { rackOf[pdu.id] = pdu.rack }
                var values: [CIID: Double] = [:]
                var unit = ""
                for reading in try store.samples.latest() where reading.point.name == metric && reading.isUsable {
                    guard let rack = rackOf[reading.point.ci] else { continue }
                    values[rack] = max(values[rack] ?? -.infinity, reading.value)
                }
                if metric == "temperature" || metric == "dew_point" { unit = "°C" } else if metric == "humidity" { unit = "%RH" } else if metric == "power" { unit = "kW" }
                let scale = metric == "temperature" ? ColorScale(min: 18, max: 27)
                    : ColorScale(min: values.values.min() ?? 0, max: max((values.values.max() ?? 1), (values.values.min() ?? 0) + 1))
                let p = FloorPlan(floor: floor, room: r, metric: metric, unit: unit, values: values, scale: scale)
                do { try FloorPlanRenderer.svg(p).write(toFile: svg, atomically: true, encoding: .utf8) } catch { throw StoreError.io(svg, "\(error)") }
                print("wrote \(svg)")
            }
        }
    }
}
