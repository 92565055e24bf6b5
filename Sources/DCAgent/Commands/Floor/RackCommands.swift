import AgentStore
import ArgumentParser
import DCAgentServer
import FloorModel
import Foundation
import Telemetry

/// `dcagent rack show|render`: a rack's elevation in the terminal or as SVG.
struct RackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rack", abstract: "Show or draw a rack elevation.", subcommands: [Show.self, Render.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a rack elevation: each U, top down, with the device on the front and rear face.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The rack's CI id.") var rack: String

        func run() throws {
            try config.withStore(readOnly: true, floorErrors: true) { store in
                let floor = try store.floor(containing: rack)
                guard let r = floor.rack(CIID(unchecked: rack)) else { throw StoreError.invalid("\(rack) is not a rack") }
                print(RackText.render(RackElevation(floor: floor, rack: r)), terminator: "")
            }
        }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Draw a rack elevation (front and rear) as SVG.")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The rack's CI id.") var rack: String
        @Option(help: "Write the SVG here.") var svg: String

        func run() throws {
            try config.withStore(readOnly: true, floorErrors: true) { store in
                let floor = try store.floor(containing: rack)
                guard let r = floor.rack(CIID(unchecked: rack)) else { throw StoreError.invalid("\(rack) is not a rack") }
                do {
                    try RackElevationRenderer.svg(RackElevation(floor: floor, rack: r)).write(toFile: svg, atomically: true, encoding: .utf8)
                } catch { throw StoreError.io(svg, "\(error)") }
                print("wrote \(svg)")
            }
        }
    }
}

/// The text elevation of `rack show`.
enum RackText {
    /// One line per U, top down: `U40  front: …  rear: …`; then 0U items and the free U count.
    static func render(_ e: RackElevation) -> String {
        let r = e.rack
        var out = "rack \(r.id) (\(r.room) \(r.tile), \(r.heightU)U, facing \(r.facing.rawValue), \(r.status.rawValue))\n"
        let width = max(12, e.items.map(\.id.rawValue.count).max() ?? 0)
        func cell(_ u: Int, _ face: RackFace) -> String {
            let hit = e.items.first { $0.faces.contains(face) && $0.span.bottom.halves <= u * 2 + 1 && u * 2 < $0.span.end.halves }
            guard let hit else { return "·" }
            return hit.lifecycle == .active ? hit.id.rawValue : "\(hit.id) [\(hit.lifecycle.rawValue)]"
        }
        var free = 0
        for u in stride(from: r.startingUnit + r.heightU - 1, through: r.startingUnit, by: -1) {
            let f = cell(u, .front)
            let b = cell(u, .rear)
            if f == "·" && b == "·" { free += 1 }
            out += "U" + String(u).leftPad(2) + "  front: " + f.rightPad(width + 12) + "  rear: " + b + "\n"
        }
        for z in e.zeroU { out += "0U   \(z)\n" }
        out += "free: \(free) of \(r.heightU) U on both faces; power \(Int(e.powerW)) W, weight \(Int(e.weightKg)) kg\n"
        return out
    }
}

extension String {
    fileprivate func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
    fileprivate func rightPad(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
