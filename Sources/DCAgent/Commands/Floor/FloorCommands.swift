import AgentStore
import ArgumentParser
import ContaminationRules
import DCAgentServer
import DCAgentWeb
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
        static let configuration = CommandConfiguration(abstract: "Draw a room's floor plan as SVG, as the web page draws it.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The room's CI id.") var room: String
        @Option(help: "Write the SVG here.") var svg: String
        @Option(help: "What racks are coloured by: inlet (temperature of the front probes), power (measured power_total against the budget), space (U used) or alarm.")
        var metric: String = "inlet"
        @Flag(help: "Add the thermal view: colours interpolated between the inlet probes, the probes drawn as measurements.")
        var thermal = false

        func validate() throws {
            if RackMetrics.Metric(rawValue: metric) == nil {
                throw ValidationError("--metric must be one of \(RackMetrics.Metric.allCases.map(\.rawValue).joined(separator: ", ")), not '\(metric)'")
            }
        }

        func run() throws {
            try config.withStore(readOnly: true, floorErrors: true) { store in
                let floor = try store.floor(containing: room)
                guard let r = floor.room(CIID(unchecked: room)) else { throw StoreError.invalid("\(room) is not a room") }
                // The same numbers as the floor page: RackMetrics over the latest readings and
                // the events firing in the room (a rack without trustworthy data is "no data").
                let m = RackMetrics.Metric(rawValue: thermal ? "inlet" : metric)!
                let now = Timestamp.now
                let latest = try store.samples.latest()
                let firing = try store.events.events(EventQuery(firingOnly: true, room: r.id, limit: 5000))
                let metrics = RackMetrics()
                let marks = metrics.marks(floor: floor, room: r.id, metric: m, latest: latest, firing: firing, now: now)
                let field = thermal
                    ? ThermalField(floor: floor, room: r.id, values: metrics.probeValues(floor: floor, room: r.id, latest: latest, now: now), reach: 3) : nil
                let p = FloorPlan(
                    floor: floor, room: r, metric: m.rawValue, unit: m.unit,
                    values: Dictionary(uniqueKeysWithValues: marks.compactMap { k in k.value.map { (k.rack, $0) } }), scale: m.scale,
                    states: Dictionary(uniqueKeysWithValues: marks.map { ($0.rack, $0.state) }), thermal: field)
                do { try FloorPlanRenderer.svg(p).write(toFile: svg, atomically: true, encoding: .utf8) } catch { throw StoreError.io(svg, "\(error)") }
                print("wrote \(svg)")
            }
        }
    }
}
