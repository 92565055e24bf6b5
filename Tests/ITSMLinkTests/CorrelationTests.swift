import ContaminationRules
import Foundation
import ITSMLink
import Telemetry
import Testing

/// A temperature probe of one rack (or room): `TH<n>` on the rack, its own dedup key.
struct Probe: Hashable, Sendable, CustomStringConvertible {
    var n: Int
    var rack: String? = "DC-R05"
    var room: String? = "DC-H1"

    var ci: CIID { CIID(unchecked: "\(rack ?? room ?? "DC")-TH\(n)") }
    var point: PointID { PointID(ci: ci, name: "temperature")! }
    var dedupKey: String { Event.dedupKey(rule: "inlet-hot", scope: ci, point: point) }
    var description: String { ci.rawValue }

    /// Its event of the opening first seen `opened` seconds after t0.
    func event(
        _ severity: Severity = .critical, _ state: EventState = .firing, opened: Double, last: Double, suppressed: Bool = false,
        missing: [String]? = nil
    ) -> Event {
        Event(
            dedupKey: dedupKey, ruleID: "inlet-hot", kind: .threshold, severity: severity, state: state, scope: ci,
            room: room.map { CIID(unchecked: $0) }, rack: rack.map { CIID(unchecked: $0) }, point: point, firstSeen: at(opened),
            lastSeen: at(last), count: 1, message: "\(point) is 31 °C, above its limit (critical 30 °C)",
            evidence: [Reading(point: point, time: at(last), value: 31)], suppressed: suppressed, flapping: false, dataMissing: missing)
    }

    func opening(_ opened: Double) -> OpeningKey { OpeningKey(dedupKey: dedupKey, firstSeen: at(opened)) }
}

/// One step of a group scenario: a change of a probe's opening, or a tick of every link.
enum GroupStep: Sendable {
    case change(
        Probe, EventChange.Change, Severity = .critical, t: Double, opened: Double, suppressed: Bool = false, missing: [String]? = nil)
    case tick(Double)
}

/// What a group scenario produced: every decision in order, and the latest link of each key.
struct GroupRun {
    var decisions: [IncidentDecision] = []
    var links: [String: IncidentLink] = [:]

    var actions: [OutboxAction] { decisions.flatMap(\.actions) }
    var names: [String] { actions.map(\.action.name) }
    var reasons: [String] { decisions.map(\.reason) }
    func link(_ p: Probe) -> IncidentLink? { links[p.dedupKey] }
}

/// Runs the steps as the service does: each input sees its own key's latest link and every
/// other link as its group context; a decision's links (its own and others) are kept; a tick
/// goes to every link, in dedup key order. Change sequence numbers count from 1.
func runGroup(_ steps: [GroupStep], policy: IncidentPolicy = .defaults, correlation: CorrelationPolicy = .defaults) -> GroupRun {
    var r = GroupRun()
    var seq: Int64 = 0
    func keep(_ d: IncidentDecision) {
        r.decisions.append(d)
        if let l = d.link { r.links[l.opening.dedupKey] = l }
        for o in d.others where r.links[o.opening.dedupKey]?.opening == o.opening { r.links[o.opening.dedupKey] = o }
    }
    func context(except key: String) -> CorrelationContext {
        CorrelationContext(policy: correlation, links: r.links.filter { $0.key != key }.map(\.value))
    }
    for step in steps {
        switch step {
        case .change(let probe, let change, let severity, let t, let opened, let suppressed, let missing):
            seq += 1
            let state: EventState = change == .resolved ? .resolved : .firing
            let e = probe.event(severity, state, opened: opened, last: t, suppressed: suppressed, missing: missing)
            let input = IncidentInput.change(EventChange(change: change, event: e, at: at(t), notify: !suppressed), seq: seq)
            keep(policy.decide(input, link: r.links[probe.dedupKey], correlation: context(except: probe.dedupKey), now: at(t)))
        case .tick(let t):
            for key in r.links.keys.sorted() {
                keep(policy.decide(.tick, link: r.links[key], correlation: context(except: key), now: at(t)))
            }
        }
    }
    return r
}

let p1 = Probe(n: 1)
let p2 = Probe(n: 2)
let p3 = Probe(n: 3)
let otherRack = Probe(n: 1, rack: "DC-R06")
let roomOnly = Probe(n: 9, rack: nil)
let nowhere = Probe(n: 7, rack: nil, room: nil)

/// One sentence of issue 15 as a scenario: the steps; for each probe, whose ticket its
/// actions went to (nil: none); the action names, in order.
struct GroupScenario: Sendable, CustomTestStringConvertible {
    let sentence: String
    var correlation: CorrelationPolicy = .defaults
    var policy: IncidentPolicy = .defaults
    let steps: [GroupStep]
    /// The opening of each probe's ticket: the opening its link's actions go to.
    let tickets: [Probe: OpeningKey?]
    let actions: [String]

    var testDescription: String { sentence }
}

let groupScenarios: [GroupScenario] = [
    GroupScenario(
        sentence: "a member inside the window joins the parent's ticket",
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 599, opened: 599)],
        tickets: [p1: p1.opening(0), p2: p1.opening(0)], actions: ["open", "annotate"]),
    GroupScenario(
        sentence: "one first seen just outside the window opens its own ticket",
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 600, opened: 600)],
        tickets: [p1: p1.opening(0), p2: p2.opening(600)], actions: ["open", "open"]),
    GroupScenario(
        sentence: "a shorter window is the config's",
        correlation: CorrelationPolicy(window: 60),
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 90, opened: 90)],
        tickets: [p1: p1.opening(0), p2: p2.opening(90)], actions: ["open", "open"]),
    GroupScenario(
        sentence: "another rack's event never joins",
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(otherRack, .opened, t: 10, opened: 10)],
        tickets: [p1: p1.opening(0), otherRack: otherRack.opening(10)], actions: ["open", "open"]),
    GroupScenario(
        sentence: "by room groups two racks of one room",
        correlation: CorrelationPolicy(by: .room),
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(otherRack, .opened, t: 10, opened: 10)],
        tickets: [p1: p1.opening(0), otherRack: p1.opening(0)], actions: ["open", "annotate"]),
    GroupScenario(
        sentence: "by rack, an event with no rack is grouped by its room",
        steps: [.change(roomOnly, .opened, t: 0, opened: 0), .change(Probe(n: 8, rack: nil), .opened, t: 10, opened: 10)],
        tickets: [roomOnly: roomOnly.opening(0), Probe(n: 8, rack: nil): roomOnly.opening(0)], actions: ["open", "annotate"]),
    GroupScenario(
        sentence: "an event with neither rack nor room is never grouped",
        correlation: CorrelationPolicy(by: .room),
        steps: [.change(nowhere, .opened, t: 0, opened: 0), .change(Probe(n: 6, rack: nil, room: nil), .opened, t: 10, opened: 10)],
        tickets: [nowhere: nowhere.opening(0), Probe(n: 6, rack: nil, room: nil): Probe(n: 6, rack: nil, room: nil).opening(10)],
        actions: ["open", "open"]),
    GroupScenario(
        sentence: "by: off, every opening has its own ticket",
        correlation: .off,
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 10, opened: 10)],
        tickets: [p1: p1.opening(0), p2: p2.opening(10)], actions: ["open", "open"]),
    GroupScenario(
        sentence: "a suppressed member does not join (and opens nothing)",
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 10, opened: 10, suppressed: true)],
        tickets: [p1: p1.opening(0), p2: nil], actions: ["open"]),
    GroupScenario(
        sentence: "a member below the minimum severity does not join",
        steps: [.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, .info, t: 10, opened: 10)],
        tickets: [p1: p1.opening(0), p2: nil], actions: ["open"]),
    GroupScenario(
        sentence: "an event that fired before the parent (first seen earlier) is no member of it",
        policy: IncidentPolicy(minimumSeverity: .critical),
        steps: [
            .change(p2, .opened, .warning, t: 0, opened: 0), .change(p1, .opened, t: 10, opened: 10),
            .change(p2, .severityChanged, .critical, t: 20, opened: 0),
        ],
        tickets: [p1: p1.opening(10), p2: p2.opening(0)], actions: ["open", "open"]),
    GroupScenario(
        sentence: "a parent whose event cleared but whose ticket is in its hold-off still takes members",
        steps: [
            .change(p1, .opened, t: 0, opened: 0), .change(p1, .resolved, t: 60, opened: 0), .change(p2, .opened, t: 120, opened: 120),
        ],
        tickets: [p1: p1.opening(0), p2: p1.opening(0)], actions: ["open", "annotate"]),
    GroupScenario(
        sentence: "a member's own ticket never becomes a parent: a third probe joins the first",
        steps: [
            .change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 100, opened: 100), .change(p3, .opened, t: 650, opened: 650),
        ],
        tickets: [p1: p1.opening(0), p2: p1.opening(0), p3: p3.opening(650)], actions: ["open", "annotate", "open"]),
]

@Suite("Correlation (issue 15): events of one rack or room under one ticket", .timeLimit(.minutes(1)))
struct CorrelationTests {
    @Test("who joins whom", arguments: groupScenarios)
    func scenario(_ s: GroupScenario) {
        let r = runGroup(s.steps, policy: s.policy, correlation: s.correlation)
        #expect(r.names == s.actions, "\(r.reasons)")
        for (probe, ticket) in s.tickets {
            let link = r.link(probe)
            if let ticket {
                #expect(link?.hasTicket == true, "\(probe): \(r.reasons)")
                #expect(link?.ticketOpening == ticket, "\(probe): \(r.reasons)")
            } else {
                #expect(link?.hasTicket == false && link?.parent == nil, "\(probe): \(link.map(\.reason) ?? "no link")")
            }
        }
        // Every action goes to a ticket that was opened, and every decision says why.
        let opened = Set(r.actions.filter { $0.action.name == "open" }.map(\.ticket))
        #expect(r.actions.allSatisfy { opened.contains($0.ticket) })
        #expect(r.decisions.allSatisfy { !$0.reason.isEmpty })
    }

    @Test("the joining note names the member; both links record the group")
    func joiningNote() throws {
        let r = runGroup([
            .change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 30, opened: 30), .change(p3, .opened, t: 45, opened: 45),
        ])
        let notes = r.actions.filter { $0.action.name == "annotate" }
        #expect(notes.map(\.ticket) == [p1.opening(0), p1.opening(0)])
        #expect(notes.map(\.key.sequence) == ["\(p2.opening(30))/join", "\(p3.opening(45))/join"])
        let second = notes[1].action.text
        for words in [
            "joined as member 2 of group DC-R05 (by rack)", p3.dedupKey, "on DC-R05-TH3", "critical", "first seen \(at(45))", "31 °C",
        ] {
            #expect(second.contains(words), "\(second)")
        }
        let parent = try #require(r.link(p1))
        #expect(parent.group?.key == "DC-R05")
        #expect(parent.group?.members.map(\.opening) == [p2.opening(30), p3.opening(45)])
        #expect(r.link(p2)?.parent == p1.opening(0) && r.link(p3)?.parent == p1.opening(0))
        #expect(r.link(p3)?.reason.contains("member 2 of its ticket, no incident of its own") == true, "\(r.link(p3)?.reason ?? "")")
    }

    @Test("a member's later changes are notes on the parent's ticket, starting with its CI")
    func memberNotes() throws {
        let r = runGroup([
            .change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, .warning, t: 30, opened: 30),
            .change(p2, .severityChanged, .critical, t: 60, opened: 30), .change(p2, .dataMissing, t: 90, opened: 30, missing: ["X"]),
            .change(p2, .dataReturned, t: 120, opened: 30),
        ])
        #expect(r.names == ["open", "annotate", "annotate", "annotate", "annotate"])
        #expect(r.actions.allSatisfy { $0.ticket == p1.opening(0) })
        let texts = r.actions.dropFirst(2).map(\.action.text)
        #expect(texts.allSatisfy { $0.hasPrefix("DC-R05-TH2: ") }, "\(texts)")
        #expect(texts[0].contains("severity warning → critical") && texts[1].contains("data missing") && texts[2].contains("data returned"))
        #expect(r.link(p1)?.group?.members.first?.severity == .critical)
    }

    @Test("an acknowledgement of a member acknowledges the group's ticket, naming the member's CI")
    func memberAcknowledged() throws {
        var r = runGroup([.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 30, opened: 30)])
        let ack = OperatorAction(id: "77", opening: p2.opening(30), by: "ana", at: at(40), kind: .acknowledge)
        let d = IncidentPolicy.defaults.decide(
            .operatorAction(ack), link: r.link(p2), correlation: CorrelationContext(policy: .defaults, links: [r.link(p1)!]), now: at(40))
        r.decisions.append(d)
        guard case .update(let u) = try #require(d.actions.first).action else {
            Issue.record("not an update: \(d.actions)")
            return
        }
        #expect(u.acknowledgedBy == "ana" && u.text.hasPrefix("DC-R05-TH2: acknowledged by ana"))
        #expect(d.actions.first?.key == ActionKey(opening: p1.opening(0), action: "update", sequence: "\(p2.opening(30))/o77"))
    }

    /// The parent clears while a member fires, the member clears later.
    static let parentFirst: [GroupStep] = [
        .change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 30, opened: 30), .change(p1, .resolved, t: 120, opened: 0),
        .tick(120 + holdOff + 1), .change(p2, .resolved, t: 2000, opened: 30), .tick(2000 + holdOff - 1), .tick(2000 + holdOff),
        .tick(2000 + holdOff + 5), .tick(9000),
    ]

    @Test("the parent clears while a member fires: no resolve until the member clears and the hold-off passes; resolved once")
    func parentClearsFirst() throws {
        let r = runGroup(Self.parentFirst)
        #expect(r.names == ["open", "annotate", "annotate", "annotate", "resolve"], "\(r.reasons)")
        let notes = r.actions.filter { $0.action.name == "annotate" }.map(\.action.text)
        #expect(notes[1].contains("stays open while 1 member still fires: DC-R05-TH2 (inlet-hot)"), "\(notes[1])")
        #expect(notes[2].hasPrefix("DC-R05-TH2: cleared at") && notes[2].contains("resolves at \(at(2000 + holdOff))"), "\(notes[2])")
        let resolve = try #require(r.actions.last)
        #expect(resolve.key == ActionKey(opening: p1.opening(0), action: "resolve", sequence: "t\(at(2000 + holdOff).milliseconds)"))
        #expect(resolve.action.text.contains("the first event and its 1 member cleared, the last at \(at(2000))"))
        #expect(r.link(p1)?.phase == .resolved(at: at(2000 + holdOff)))
        #expect(r.link(p2)?.phase == .resolved(at: at(2000 + holdOff)), "the member's link ends with the group's ticket")
        #expect(r.reasons.contains { $0.contains("the group's ticket stays open while members still fire") })
    }

    @Test("a member clears first: the parent's clear starts the hold-off; a member re-firing within it keeps the ticket open")
    func memberClearsFirst() throws {
        let r = runGroup([
            .change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 30, opened: 30), .change(p2, .resolved, t: 60, opened: 30),
            .change(p1, .resolved, t: 100, opened: 0), .change(p2, .opened, t: 400, opened: 400), .tick(100 + holdOff + 1),
            .change(p2, .resolved, t: 800, opened: 400), .tick(800 + holdOff),
        ])
        #expect(r.names == ["open", "annotate", "annotate", "annotate", "annotate", "resolve"], "\(r.reasons)")
        let notes = r.actions.map(\.action.text)
        #expect(notes[2].contains("Still firing: DC-R05-TH1 (inlet-hot, the first)"), "\(notes[2])")
        #expect(notes[3].hasPrefix("DC-R05-TH2: fired again"), "\(notes[3])")
        #expect(r.actions.last?.key.sequence == "t\(at(800 + holdOff).milliseconds)")
        #expect(r.link(p2)?.joined == [at(400)])
    }

    @Test("a member re-firing after the group's ticket was resolved starts a fresh opening")
    func refireAfterResolved() throws {
        let r = runGroup(Self.parentFirst + [.change(p2, .opened, t: 9500, opened: 9500)])
        #expect(r.names == ["open", "annotate", "annotate", "annotate", "resolve", "open"])
        #expect(r.actions.last?.ticket == p2.opening(9500))
        #expect(r.link(p2)?.parent == nil)
        #expect(r.decisions.last?.replaced?.phase == .resolved(at: at(2000 + holdOff)))
    }

    @Test("a member closed while its data was missing: the group's ticket is left open, not resolved")
    func memberUnconfirmed() throws {
        let r = runGroup([
            .change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 30, opened: 30),
            .change(p2, .resolved, t: 60, opened: 30, missing: ["DC-R05-TH2/temperature"]), .change(p1, .resolved, t: 100, opened: 0),
            .tick(100 + holdOff), .tick(9000),
        ])
        #expect(r.names == ["open", "annotate", "annotate", "annotate"], "\(r.reasons)")
        #expect(r.actions.last?.action.text.contains("not resolved: DC-R05-TH2 (inlet-hot) closed while its data was missing") == true)
        #expect(r.link(p1)?.phase == .leftOpen(at: at(100 + holdOff)))
    }

    @Test("resolve_after 0: the last member's clear resolves the group's ticket at once")
    func resolveAtOnce() throws {
        let r = runGroup(
            [
                .change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 30, opened: 30), .change(p1, .resolved, t: 60, opened: 0),
                .change(p2, .resolved, t: 90, opened: 30),
            ], policy: IncidentPolicy(resolveAfter: 0))
        #expect(r.names == ["open", "annotate", "annotate", "annotate", "resolve"], "\(r.reasons)")
        #expect(r.link(p1)?.phase == .resolved(at: at(90)) && r.link(p2)?.phase == .resolved(at: at(90)))
    }

    @Test("twelve probes of one rack firing within a minute: one ticket, eleven members numbered in order")
    func twelve() throws {
        let probes = (1...12).map { Probe(n: $0) }
        let r = runGroup(probes.enumerated().map { i, p in .change(p, .opened, t: Double(i * 5), opened: Double(i * 5)) })
        #expect(r.names == ["open"] + Array(repeating: "annotate", count: 11))
        #expect(Set(r.actions.map(\.ticket)) == [probes[0].opening(0)])
        #expect(r.link(probes[0])?.group?.members.count == 11)
        for n in 1...11 { #expect(r.actions[n].action.text.hasPrefix("joined as member \(n) of group DC-R05")) }
    }

    @Test("replaying the same changes yields the same action keys, each once")
    func replay() {
        var steps = Self.parentFirst
        steps.insert(.change(p3, .opened, t: 50, opened: 50), at: 2)
        let a = runGroup(steps)
        let b = runGroup(steps)
        #expect(a.actions == b.actions)
        #expect(Set(a.actions.map(\.key)).count == a.actions.count)
        // A change handled again, with the links it left, does nothing.
        let again = IncidentPolicy.defaults.decide(
            .change(EventChange(change: .opened, event: p2.event(opened: 30, last: 30), at: at(30), notify: true), seq: 2),
            link: a.link(p2),
            correlation: CorrelationContext(policy: .defaults, links: [a.link(p1)!]), now: at(30))
        #expect(again.actions.isEmpty && again.others.isEmpty)
    }

    @Test("a link with its group survives encoding (the service stores it)")
    func codable() throws {
        let r = runGroup([.change(p1, .opened, t: 0, opened: 0), .change(p2, .opened, t: 30, opened: 30)])
        for link in [r.link(p1), r.link(p2)] {
            let l = try #require(link)
            #expect(try JSONDecoder().decode(IncidentLink.self, from: JSONEncoder().encode(l)) == l)
        }
    }
}

@Suite("itsm.correlation as written", .timeLimit(.minutes(1)))
struct RawCorrelationPolicyTests {
    @Test("absent keys are the defaults: by rack, 10 minutes")
    func defaults() throws {
        let p = try RawCorrelationPolicy().policy()
        #expect(p == CorrelationPolicy.defaults && p.by == .rack && p.window == 600)
    }

    @Test("by room with a 5 minute window; off")
    func values() throws {
        #expect(try RawCorrelationPolicy(by: "room", window: "5m").policy() == CorrelationPolicy(by: .room, window: 300))
        #expect(try RawCorrelationPolicy(by: "off").policy().by == .off)
    }

    @Test(
        "each bad value is named with its key",
        arguments: [
            (RawCorrelationPolicy(by: "shelf"), "itsm.correlation.by: 'shelf' is not one of rack, room, off"),
            (RawCorrelationPolicy(window: "soon"), "itsm.correlation.window: 'soon' is not"),
            (RawCorrelationPolicy(window: "0s"), "itsm.correlation.window: must be more than 0s"),
        ])
    func problems(_ raw: RawCorrelationPolicy, _ expected: String) {
        do {
            _ = try raw.policy()
            Issue.record("accepted \(raw)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test("decodes from its keys")
    func decode() throws {
        let raw = try JSONDecoder().decode(RawCorrelationPolicy.self, from: Data(#"{"by": "room", "window": "15m"}"#.utf8))
        #expect(try raw.policy() == CorrelationPolicy(by: .room, window: 900))
    }
}
