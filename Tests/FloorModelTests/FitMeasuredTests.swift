import FloorModel
import Telemetry
import Testing

/// The fit check's measured side (DESIGN decisions 9 and 18): a rack that draws more than was
/// planned refuses a device its plan would accept. The measurement is the rules engine's
/// `power_total` of the rack and its PDUs, passed in through `LiveSite`.
@Suite("Fit check: the measured side", .timeLimit(.minutes(1)))
struct FitMeasuredTests {
    static let now = Support.t0

    static func total(_ ci: CIID, _ watts: Double, age: Double = 30, quality: Quality = .good) -> Reading {
        Reading(point: PointID(ci: ci, name: "power_total")!, time: now.adding(seconds: -age), value: watts, quality: quality)
    }

    @Test("planned 500 W of a 5 kW rack fits; measured 4.8 kW + 400 W does not, and the message says measured")
    func rackBudget() throws {
        // ChecklistTests' floor: a 100 W switch and the 400 W candidate planned in a rack of 5 kW.
        let f = ChecklistTests.floor(lifecycle: .planned)
        let planned = AutoCheck.power.evaluate(ChecklistTarget(.device, "T-R01-NEW"), floor: f)
        #expect(planned.outcome == .pass)
        #expect(planned.note == "rack load 0.5 kW planned of 5 kW", "\(planned.note)")

        let busy = LiveSite(latest: [], firing: [], now: Self.now, power: [Self.total("T-R01", 4800)])
        let measured = AutoCheck.power.evaluate(ChecklistTarget(.device, "T-R01-NEW"), floor: f, live: busy)
        #expect(measured.outcome == .fail)
        #expect(
            measured.note == "rack T-R01 measures 4.8 kW now; with 0.4 kW more it would draw 5.2 kW, over its power budget of 5 kW",
            "\(measured.note)")

        // A measurement in range is quoted on the pass.
        let calm = LiveSite(latest: [], firing: [], now: Self.now, power: [Self.total("T-R01", 2000)])
        #expect(AutoCheck.power.evaluate(ChecklistTarget(.device, "T-R01-NEW"), floor: f, live: calm).note
            == "rack load 0.5 kW planned; measured 2 kW now + 0.4 kW of 5 kW")
    }

    @Test("a PDU near its rating refuses the device; stale, bad or installed-device measurements do not count")
    func pduRating() throws {
        let f = ChecklistTests.floor(lifecycle: .planned)
        let target = ChecklistTarget(.device, "T-R01-NEW")
        let hotPDU = LiveSite(latest: [], firing: [], now: Self.now, power: [Self.total("T-R01-PDU-A", 3500)])
        let r = AutoCheck.power.evaluate(target, floor: f, live: hotPDU)
        #expect(r.outcome == .fail)
        #expect(r.note.contains("PDU T-R01-PDU-A measures 3.5 kW now; with 0.4 kW more it would carry 3.9 kW, over its rating of 3.7 kW"), "\(r.note)")

        for power in [Self.total("T-R01", 4800, age: 901), Self.total("T-R01", .nan, quality: .bad(reason: "no fresh usable reading"))] {
            let live = LiveSite(latest: [], firing: [], now: Self.now, power: [power])
            #expect(AutoCheck.power.evaluate(target, floor: f, live: live).outcome == .pass, "\(power)")
        }
        // An active device's own draw is in the measurement already: only the plan counts.
        let installed = ChecklistTests.floor(lifecycle: .active)
        let busy = LiveSite(latest: [], firing: [], now: Self.now, power: [Self.total("T-R01", 4800)])
        #expect(AutoCheck.power.evaluate(target, floor: installed, live: busy).outcome == .pass)
    }
}
