import Foundation
import SensorDrivers
import Telemetry
import Testing

@Suite("docs/sensors.md stays true", .timeLimit(.minutes(1)))
struct DocsTests {
    static func doc() throws -> String {
        try String(contentsOf: ProfileFiles.root.appendingPathComponent("docs/sensors.md"), encoding: .utf8)
    }

    /// The YAML block that follows the `example-profile` marker.
    static func exampleProfile() throws -> String {
        let text = try doc()
        let marker = try #require(text.range(of: "<!-- example-profile"))
        let open = try #require(text.range(of: "```yaml\n", range: marker.upperBound..<text.endIndex))
        let close = try #require(text.range(of: "```", range: open.upperBound..<text.endIndex))
        return String(text[open.upperBound..<close.lowerBound])
    }

    @Test("the worked example compiles to the plan the doc quotes")
    func workedExample() throws {
        let profile = try ProfileFiles.decode(Self.exampleProfile())
        let plan = try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-TH1", unit: 1)
        #expect(plan.summary == "1 request touching 10 holding registers on unit 1")
        #expect(try Self.doc().contains("    " + plan.summary))
        var noBridge = profile
        noBridge.modbus?.quirks = nil
        let plain = try ModbusDevicePlan.compile(profile: noBridge, device: "DC-R01-TH1", unit: 1)
        #expect(plain.summary == "2 requests touching 5 holding registers on unit 1")
        #expect(try Self.doc().contains("`2 requests touching 5 holding registers\non unit 1`"))
    }

    @Test("the error message quoted in the doc is the one the code gives")
    func quotedError() throws {
        var profile = try ProfileFiles.decode(Self.exampleProfile())
        profile.modbus?.points[0].address = "4OOO1"
        let e = #expect(throws: ProfileError.self) { try ModbusDevicePlan.compile(profile: profile, device: "DC-R01-TH1", unit: 1) }
        let message = try #require(e?.description)
        #expect(try Self.doc().contains("    " + message + "\n"), "\(message)")
    }
}
