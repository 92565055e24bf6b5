import Foundation
@testable import FloorModel
import Telemetry
import Testing
import Yams

/// Checklist templates (the shipped YAML), automatic items through the fit check, every run
/// transition, segregation of duties and the override audit fact.
@Suite(.timeLimit(.minutes(1))) struct ChecklistTests {
    static func template(_ name: String) throws -> ChecklistTemplate {
        try YAMLDecoder().decode(ChecklistTemplate.self, from: Support.read(Support.repoRoot.appendingPathComponent("config/checklists/\(name).yaml")))
    }

    /// A floor with a planned 2U server at U12–U13 of T-R01, powered A+B, cabled.
    static func floor(position: Double = 12, lifecycle: Lifecycle = .planned) -> Floor {
        var f = Support.floor(devices: [
            Support.device("T-R01-SW1", "sw-half", at: 42, face: .rear, power: 100),
            Support.device("T-R01-NEW", "srv-1u", at: position, power: 400, lifecycle: lifecycle),
        ])
        f.cables = [Cable(id: "T-C1", a: PortRef(device: "T-R01-NEW", port: "eth0"), b: PortRef(device: "T-R01-SW1", port: "1"), type: .cat6a, label: "T-C1")]
        f.services = [Service(id: "SVC-A", name: "A", hostedOn: ["T-R01-NEW"])]
        return f
    }

    static func run(_ kind: String, floor: Floor, decommissionTo: Lifecycle? = nil) throws -> ChecklistRun {
        let target = kind == "cable-check" ? ChecklistTarget(.rack, "T-R01") : ChecklistTarget(.device, "T-R01-NEW")
        return try ChecklistRun(id: "R-1", template: template(kind), target: target, changeReference: "RFC-2026-0042", executor: "ani", decommissionTo: decommissionTo, floor: floor, at: Support.t0)
    }

    @Test(arguments: ["pre-installation", "post-installation", "decommissioning", "cable-check"])
    func shippedTemplatesAreValid(_ name: String) throws {
        let t = try Self.template(name)
        #expect(t.id == name)
        #expect(t.kind.rawValue == name)
        #expect(t.problems().isEmpty)
        #expect(t.items.count >= 4)
    }

    @Test func preInstallationItemsCoverTheRegulation() throws {
        let ids = try Self.template("pre-installation").items.map(\.id)
        for id in ["space", "power", "weight", "cooling", "airflow", "network-ports", "labels", "packaging"] { #expect(ids.contains(id)) }
    }

    @Test func automaticItemsAreEvaluatedThroughTheFitCheck() throws {
        var run = try Self.run("pre-installation", floor: Self.floor())
        let open = try run.evaluateAutomatic(floor: Self.floor(), at: Support.t0)
        #expect(open.isEmpty)
        #expect(run.answers["space"]?.outcome == .pass)
        #expect(run.answers["space"]?.note == "fits in U12 front of T-R01: yes")
        #expect(run.answers["space"]?.automatic == true)
        #expect(run.answers["power"]?.note == "rack load 0.5 kW planned of 5 kW")
        #expect(run.unanswered == ["network-ports", "labels", "packaging"])
    }

    @Test func aDeviceThatDoesNotFitFailsWithTheReason() throws {
        var f = Self.floor()
        f.devices.append(Support.device("T-R01-OLD", "srv-2u", at: 11))
        var run = try Self.run("pre-installation", floor: f)
        try run.evaluateAutomatic(floor: f, at: Support.t0)
        #expect(run.answers["space"]?.outcome == .fail)
        #expect(run.answers["space"]?.note == "U12 overlaps T-R01-OLD at U11–U12 on both faces")
        #expect(run.answers["weight"]?.outcome == .pass)
    }

    @Test func fullFlowPreInstallationMovesPlannedToStaged() throws {
        let f = Self.floor()
        var run = try Self.run("pre-installation", floor: f)
        try run.evaluateAutomatic(floor: f, at: Support.t0)
        for item in run.unanswered { try run.answer(item, .pass, by: "ani", at: Support.t0) }
        try run.submit(by: "ani", at: Support.t0)
        #expect(run.state == .submitted)
        let change = try #require(try run.approve(by: "budi", at: Support.t0))
        #expect(run.state == .approved)
        #expect(run.decidedBy == "budi")
        let after = try f.applying(change, run: run.id)
        #expect(after.device("T-R01-NEW")?.lifecycle == .staged)
    }

    @Test func postInstallationMovesStagedToActive() throws {
        let f = Self.floor(lifecycle: .staged)
        var run = try Self.run("post-installation", floor: f)
        let open = try run.evaluateAutomatic(floor: f, at: Support.t0)
        #expect(open == ["sensor-readings"])  // needs live readings
        #expect(run.answers["power-a-b"]?.outcome == .pass)
        #expect(run.answers["cables"]?.outcome == .pass)
        for item in run.unanswered { try run.answer(item, .pass, note: "ok", by: "ani", at: Support.t0) }
        try run.submit(by: "ani", at: Support.t0)
        let change = try #require(try run.approve(by: "budi", at: Support.t0))
        #expect(try f.applying(change, run: run.id).device("T-R01-NEW")?.lifecycle == .active)
    }

    @Test("sensor-readings from the running site: pass on recent readings, fail on a firing event, a person when no recent reading")
    func sensorReadingsFromLiveSite() throws {
        var f = Self.floor(lifecycle: .staged)
        f.sensors = [SensorPlacement(id: "T-R01-TH1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .front))]
        let now = Support.t0
        let temp = PointID(ci: "T-R01-TH1", name: "temperature")!, rh = PointID(ci: "T-R01-TH1", name: "humidity")!
        let fresh = [Reading(point: temp, time: now.adding(seconds: -30), value: 22.4), Reading(point: rh, time: now.adding(seconds: -30), value: 45)]

        var run = try Self.run("post-installation", floor: f)
        #expect(try run.evaluateAutomatic(floor: f, at: now, live: LiveSite(latest: fresh, firing: [], now: now)).isEmpty)
        let pass = try #require(run.answers["sensor-readings"])
        #expect(pass.outcome == .pass && pass.automatic)
        #expect(pass.note == "T-R01-TH1: humidity 45, temperature 22.4; no event firing on T-R01 or its sensors", "\(pass.note)")

        // An event firing on the rack's sensor (or the rack) fails the item, quoting it.
        var hot = try Self.run("post-installation", floor: f)
        let firing = [LiveSite.FiringEvent(scope: "T-R01-TH1", severity: "critical", message: "T-R01-TH1/temperature is 33 °C, above 32")]
        _ = try hot.evaluateAutomatic(floor: f, at: now, live: LiveSite(latest: fresh, firing: firing, now: now))
        #expect(hot.answers["sensor-readings"]?.outcome == .fail)
        #expect(hot.answers["sensor-readings"]?.note == "firing: critical T-R01-TH1/temperature is 33 °C, above 32")
        // An event elsewhere does not.
        var elsewhere = try Self.run("post-installation", floor: f)
        _ = try elsewhere.evaluateAutomatic(
            floor: f, at: now, live: LiveSite(latest: fresh, firing: [.init(scope: "T-R09-TH1", severity: "warning", message: "x")], now: now))
        #expect(elsewhere.answers["sensor-readings"]?.outcome == .pass)

        // Readings older than 15 minutes (or none): left to a person.
        var old = try Self.run("post-installation", floor: f)
        let stale = fresh.map { Reading(point: $0.point, time: now.adding(seconds: -901), value: $0.value) }
        #expect(try old.evaluateAutomatic(floor: f, at: now, live: LiveSite(latest: stale, firing: [], now: now)) == ["sensor-readings"])
        // No sensor in the rack: left to a person.
        var bare = try Self.run("post-installation", floor: Self.floor(lifecycle: .staged))
        #expect(try bare.evaluateAutomatic(floor: Self.floor(lifecycle: .staged), at: now, live: LiveSite(latest: fresh, firing: [], now: now)) == ["sensor-readings"])
    }

    @Test("refresh: an automatic answer follows the site (fail → pass → open when readings stop); a person's answer stands")
    func refreshFollowsTheSite() throws {
        var f = Self.floor(lifecycle: .staged)
        f.sensors = [SensorPlacement(id: "T-R01-TH1", kind: .temperatureHumidity, location: .rack("T-R01", position: HalfU(units: 40), face: .front))]
        let now = Support.t0
        let temp = PointID(ci: "T-R01-TH1", name: "temperature")!
        let fresh = [Reading(point: temp, time: now.adding(seconds: -30), value: 22.4)]
        let firing = [LiveSite.FiringEvent(scope: "T-R01", severity: "warning", message: "rack T-R01 draws 4.1 kW")]
        var run = try Self.run("post-installation", floor: f)
        try run.evaluateAutomatic(floor: f, at: now, live: LiveSite(latest: fresh, firing: firing, now: now))
        #expect(run.answers["sensor-readings"]?.outcome == .fail)
        let fitBefore = try #require(run.answers.first { $0.value.automatic && $0.key != "sensor-readings" })

        // The event resolved: the item passes; the model's items keep their outcome (not reported).
        let later = now.adding(seconds: 600)
        let recent = [Reading(point: temp, time: later.adding(seconds: -10), value: 22.6)]
        let changed = try run.refreshAutomatic(floor: f, at: later, live: LiveSite(latest: recent, firing: [], now: later))
        #expect(changed == [.init(item: "sensor-readings", before: .fail, after: .pass, note: run.answers["sensor-readings"]?.note ?? "")])
        #expect(run.answers["sensor-readings"]?.at == later)
        #expect(run.answers[fitBefore.key]?.outcome == fitBefore.value.outcome)
        #expect(run.answers[fitBefore.key]?.at == later, "re-evaluated against the floor as it is now")

        // No recent reading any more: the stale pass is withdrawn, the item is open for a person.
        let muchLater = later.adding(seconds: 3600)
        let gone = try run.refreshAutomatic(floor: f, at: muchLater, live: LiveSite(latest: recent, firing: [], now: muchLater))
        #expect(gone.map(\.item) == ["sensor-readings"] && gone.first?.after == nil)
        #expect(run.answers["sensor-readings"] == nil && run.unanswered.contains("sensor-readings"))

        // A person answers it; a refresh that could decide it again leaves the person's answer.
        try run.answer("sensor-readings", .pass, note: "checked on the probe's display", by: "eko", at: muchLater)
        #expect(try run.refreshAutomatic(floor: f, at: muchLater, live: LiveSite(latest: recent, firing: firing, now: later)).isEmpty)
        #expect(run.answers["sensor-readings"]?.person == "eko" && run.answers["sensor-readings"]?.outcome == .pass)
    }

    @Test(arguments: [Lifecycle.offline, .disposed])
    func decommissioningEndsOfflineOrDisposed(_ to: Lifecycle) throws {
        var f = Self.floor(lifecycle: .active)
        var run = try Self.run("decommissioning", floor: f, decommissionTo: to)
        try run.evaluateAutomatic(floor: f, at: Support.t0)
        #expect(run.answers["services-moved"]?.outcome == .fail)
        #expect(run.answers["cables-removed"]?.note == "cables still recorded: T-C1")
        f.services = []
        f.cables[0].status = .decommissioning
        try run.evaluateAutomatic(floor: f, at: Support.t0)
        #expect(run.answers["services-moved"]?.outcome == .pass)
        #expect(run.answers["cables-removed"]?.outcome == .pass)
        for item in run.unanswered { try run.answer(item, .pass, note: "wipe cert W-77", by: "ani", at: Support.t0) }
        try run.submit(by: "ani", at: Support.t0)
        let change = try #require(try run.approve(by: "budi", at: Support.t0))
        #expect(try f.applying(change, run: run.id).device("T-R01-NEW")?.lifecycle == to)
    }

    @Test func decommissioningNeedsAnEndState() throws {
        #expect(throws: ChecklistError.self) { try Self.run("decommissioning", floor: Self.floor(), decommissionTo: nil) }
        #expect(throws: ChecklistError.self) { try Self.run("decommissioning", floor: Self.floor(), decommissionTo: .staged) }
    }

    @Test func cableCheckIsBoundToARackAndChangesNoLifecycle() throws {
        let f = Self.floor()
        var run = try Self.run("cable-check", floor: f)
        try run.evaluateAutomatic(floor: f, at: Support.t0)
        #expect(run.answers["records"]?.outcome == .pass)
        for item in run.unanswered { try run.answer(item, .notApplicable, by: "ani", at: Support.t0) }
        try run.submit(by: "ani", at: Support.t0)
        #expect(try run.approve(by: "budi", at: Support.t0) == nil)
    }

    // MARK: Refusals, one per transition rule

    static func submitted() throws -> ChecklistRun {
        var run = try run("pre-installation", floor: floor())
        try run.evaluateAutomatic(floor: floor(), at: Support.t0)
        for item in run.unanswered { try run.answer(item, .pass, by: "ani", at: Support.t0) }
        try run.submit(by: "ani", at: Support.t0)
        return run
    }

    /// The code of the ChecklistError `body` throws; nil when it succeeds. Any other error is a
    /// test failure.
    static func code(_ body: () throws -> Void) -> ChecklistError.Code? {
        do {
            try body()
            return nil
        } catch let e as ChecklistError {
            return e.code
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func executorCannotApproveOrRejectOwnRun() throws {
        var run = try Self.submitted()
        #expect(Self.code { _ = try run.approve(by: "ani", at: Support.t0) } == .executorCannotApprove)
        #expect(Self.code { try run.reject(by: "ani", reason: "x", at: Support.t0) } == .executorCannotApprove)
        #expect(run.state == .submitted)
    }

    @Test func overrideNeedsANamedSupervisorWhoIsNotTheExecutorAndAReason() throws {
        var run = try Self.submitted()
        #expect(Self.code { _ = try run.approveWithOverride(by: "ani", supervisor: "", reason: "night shift", at: Support.t0) } == .supervisorRequired)
        #expect(Self.code { _ = try run.approveWithOverride(by: "ani", supervisor: "ani", reason: "night shift", at: Support.t0) } == .supervisorRequired)
        #expect(Self.code { _ = try run.approveWithOverride(by: "ani", supervisor: "citra", reason: "", at: Support.t0) } == .reasonRequired)
        let (change, fact) = try run.approveWithOverride(by: "ani", supervisor: "citra", reason: "only engineer on night shift", at: Support.t0)
        #expect(change?.to == .staged)
        #expect(run.state == .approved)
        #expect(run.overrideSupervisor == "citra")
        #expect(fact.action == "checklist.approve.override")
        #expect(fact.actor == "ani")
        #expect(fact.subject == "checklist-run:R-1")
        #expect(fact.details["supervisor"] == "citra")
        #expect(fact.details["reason"] == "only engineer on night shift")
        #expect(fact.details["change"] == "RFC-2026-0042")
    }

    @Test func failedItemsCannotBeApprovedOnlyRejectedThenReopened() throws {
        var run = try Self.run("pre-installation", floor: Self.floor())
        #expect(Self.code { try run.answer("packaging", .fail, by: "ani", at: Support.t0) } == .noteRequired)
        try run.evaluateAutomatic(floor: Self.floor(), at: Support.t0)
        try run.answer("packaging", .fail, note: "boxes still in the hall", by: "ani", at: Support.t0)
        for item in run.unanswered { try run.answer(item, .pass, by: "ani", at: Support.t0) }
        try run.submit(by: "ani", at: Support.t0)
        #expect(Self.code { _ = try run.approve(by: "budi", at: Support.t0) } == .failedItems)
        #expect(Self.code { _ = try run.approveWithOverride(by: "budi", supervisor: "citra", reason: "x", at: Support.t0) } == .failedItems)
        #expect(Self.code { try run.reject(by: "budi", reason: "", at: Support.t0) } == .reasonRequired)
        try run.reject(by: "budi", reason: "remove the boxes", at: Support.t0)
        #expect(run.state == .rejected)
        #expect(Self.code { try run.answer("packaging", .pass, by: "ani", at: Support.t0) } == .wrongState)
        #expect(Self.code { try run.reopen(by: "budi", at: Support.t0) } == .notSubmitter)
        try run.reopen(by: "ani", at: Support.t0)
        try run.answer("packaging", .pass, note: "boxes removed outside", by: "ani", at: Support.t0)
        try run.submit(by: "ani", at: Support.t0)
        #expect(try run.approve(by: "budi", at: Support.t0)?.to == .staged)
    }

    @Test func wrongStatesAndInputsAreRefused() throws {
        var run = try Self.run("pre-installation", floor: Self.floor())
        #expect(Self.code { try run.submit(by: "ani", at: Support.t0) } == .unansweredItems)
        #expect(Self.code { _ = try run.approve(by: "budi", at: Support.t0) } == .wrongState)
        #expect(Self.code { try run.reject(by: "budi", reason: "x", at: Support.t0) } == .wrongState)
        #expect(Self.code { try run.reopen(by: "ani", at: Support.t0) } == .wrongState)
        #expect(Self.code { try run.answer("nope", .pass, by: "ani", at: Support.t0) } == .unknownItem)
        #expect(Self.code { try run.answer("labels", .pass, by: "", at: Support.t0) } == .missingPerson)
        var done = try Self.submitted()
        #expect(Self.code { try done.submit(by: "ani", at: Support.t0) } == .wrongState)
        #expect(Self.code { try done.submit(by: "budi", at: Support.t0) } == .wrongState)
        _ = try done.approve(by: "budi", at: Support.t0)
        #expect(Self.code { _ = try done.approve(by: "dedi", at: Support.t0) } == .wrongState)
        #expect(Self.code { _ = try done.evaluateAutomatic(floor: Self.floor(), at: Support.t0) } == .wrongState)
    }

    @Test func aPersonCannotOverruleTheFitCheck() throws {
        var f = Self.floor()
        f.devices.append(Support.device("T-R01-OLD", "srv-2u", at: 11))
        var run = try Self.run("pre-installation", floor: f)
        try run.evaluateAutomatic(floor: f, at: Support.t0)
        #expect(Self.code { try run.answer("space", .pass, note: "looks fine", by: "ani", at: Support.t0) } == .automaticItem)
        #expect(run.answers["space"]?.outcome == .fail)
        // Moving the device on the floor and evaluating again is the way to a pass.
        f.devices.removeAll { $0.id == "T-R01-OLD" }
        try run.evaluateAutomatic(floor: f, at: Support.t0)
        #expect(run.answers["space"]?.outcome == .pass)
    }

    @Test func itemsThatNeedLiveReadingsAreAnsweredByAPerson() throws {
        let f = Self.floor(lifecycle: .staged)
        var run = try Self.run("post-installation", floor: f)
        try run.answer("sensor-readings", .pass, note: "inlet 22.4 °C, 45 %RH", by: "ani", at: Support.t0)
        #expect(run.answers["sensor-readings"]?.automatic == false)
    }

    @Test func onlyTheExecutorSubmits() throws {
        var run = try Self.run("pre-installation", floor: Self.floor())
        try run.evaluateAutomatic(floor: Self.floor(), at: Support.t0)
        for item in run.unanswered { try run.answer(item, .pass, by: "ani", at: Support.t0) }
        #expect(Self.code { try run.submit(by: "budi", at: Support.t0) } == .notSubmitter)
    }

    @Test func startIsRefusedForBadBindings() throws {
        let t = try Self.template("pre-installation")
        func start(_ target: ChecklistTarget, change: String = "RFC-1", executor: String = "ani", template: ChecklistTemplate = t) -> ChecklistError.Code? {
            Self.code { _ = try ChecklistRun(id: "R", template: template, target: target, changeReference: change, executor: executor, floor: Self.floor(), at: Support.t0) }
        }
        #expect(start(ChecklistTarget(.rack, "T-R01")) == .wrongTarget)
        #expect(start(ChecklistTarget(.device, "GHOST")) == .unknownTarget)
        #expect(start(ChecklistTarget(.device, "T-R01-NEW"), change: "") == .reasonRequired)
        #expect(start(ChecklistTarget(.device, "T-R01-NEW"), executor: "") == .missingPerson)
        var dup = t
        dup.items.append(dup.items[0])
        #expect(start(ChecklistTarget(.device, "T-R01-NEW"), template: dup) == .invalidTemplate)
        #expect(start(ChecklistTarget(.device, "T-R01-NEW")) == nil)
    }

    @Test func lifecycleChangeIsRefusedFromTheWrongState() throws {
        let f = Self.floor(lifecycle: .active)
        let change = LifecycleChange(ci: "T-R01-NEW", from: [.planned], to: .staged)
        #expect(Self.code { _ = try f.applying(change, run: "R") } == .lifecycleNotAllowed)
        #expect(Self.code { _ = try f.applying(LifecycleChange(ci: "GHOST", from: [.planned], to: .staged), run: "R") } == .unknownTarget)
    }
}
