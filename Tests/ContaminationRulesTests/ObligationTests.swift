import ContaminationRules
import Foundation
import Telemetry
import Testing

@Suite("Yearly obligations (I.2.b.1, I.2.b.4, B.2.f.h)", .timeLimit(.minutes(1)))
struct ObligationTests {
    let day = 86_400.0
    let yearly = ObligationSchedule.yearly

    func record(_ kind: ObligationKind, daysAgo: Double, thirdParty: String? = nil, escort: String? = nil) -> ObligationRecord {
        ObligationRecord(
            room: Floor.room, kind: kind, doneAt: Floor.at(-daysAgo * day), doneBy: "budi", thirdParty: thirdParty, escort: escort,
            note: "cabling area checked", documentReference: "WO-17")
    }

    @Test(
        "standing at the boundaries: due after 365 days, due soon 30 days before",
        arguments: [
            (0.0, ObligationStatus.Standing.ok), (334.999, .ok), (335, .dueSoon), (364.999, .dueSoon), (365, .overdue), (400, .overdue),
        ])
    func standing(daysAgo: Double, standing: ObligationStatus.Standing) {
        let s = yearly.status(room: Floor.room, kind: .cleaning, records: [record(.cleaning, daysAgo: daysAgo)], now: Floor.at(0))
        #expect(s.standing == standing)
        #expect(s.due == Floor.at((365 - daysAgo) * day))
    }

    @Test("never recorded is overdue; the latest record counts; other rooms and kinds are ignored")
    func latest() {
        let records = [
            record(.cleaning, daysAgo: 400), record(.cleaning, daysAgo: 10), record(.ciAudit, daysAgo: 1),
            ObligationRecord(room: Floor.tapeRoom, kind: .particleMeasurement, doneAt: Floor.at(0), doneBy: "x"),
        ]
        let s = yearly.statuses(rooms: [Floor.room], kinds: [.cleaning, .particleMeasurement], records: records, now: Floor.at(0))
        #expect(s.map(\.standing) == [.ok, .overdue])
        #expect(s[0].lastDone?.doneAt == Floor.at(-10 * day))
        #expect(s[1].lastDone == nil && s[1].due == nil)
    }

    @Test("a third party's cleaning of a sensitive room needs an escort (I.2.b.4.b)")
    func escort() {
        let noEscort = record(.cleaning, daysAgo: 1, thirdParty: "PT Bersih")
        #expect(noEscort.problems(roomIsSensitive: true)["escort"]?.contains("I.2.b.4.b") == true)
        #expect(noEscort.problems(roomIsSensitive: false).isEmpty)
        #expect(record(.cleaning, daysAgo: 1, thirdParty: "PT Bersih", escort: "andi").problems(roomIsSensitive: true).isEmpty)
        #expect(record(.ciAudit, daysAgo: 1, thirdParty: "auditor").problems(roomIsSensitive: true).isEmpty)
        let anonymous = ObligationRecord(room: Floor.room, kind: .cleaning, doneAt: Floor.at(0), doneBy: "  ")
        #expect(anonymous.problems(roomIsSensitive: false).keys.sorted() == ["doneBy"])
    }

    @Test("events: due soon 30 days before (warning), overdue (critical), resolved by a new record")
    func events() throws {
        var e = try Floor.engine(
            "rules: [{ id: yearly, kind: obligation, select: { rooms: [DC-R1] }, obligations: [cleaning, ci_audit], every: 365d, warn_before: 30d }]"
        )
        e.records = [record(.cleaning, daysAgo: 340)]
        let first = e.tick(now: Floor.at(0)).changes
        #expect(
            first.map { "\($0.event.dedupKey) \($0.change) \($0.event.severity)" } == [
                "yearly/cleaning|DC-R1| opened warning", "yearly/ci_audit|DC-R1| opened critical",
            ])
        #expect(first[0].event.message.contains("cleaning of room DC-R1 is due on") == true)
        #expect(first[0].event.message.contains("Lampiran II I.2.b.4") == true)
        #expect(first[1].event.message.contains("never been recorded — Lampiran II B.2.f.h") == true)
        #expect(e.tick(now: Floor.at(day)).changes.isEmpty)
        let overdue = e.tick(now: Floor.at(25 * day)).changes
        #expect(
            overdue.map { "\($0.event.dedupKey) \($0.change) \($0.event.severity)" } == ["yearly/cleaning|DC-R1| severityChanged critical"])
        e.records.append(ObligationRecord(room: Floor.room, kind: .cleaning, doneAt: Floor.at(26 * day), doneBy: "budi"))
        e.records.append(ObligationRecord(room: Floor.room, kind: .ciAudit, doneAt: Floor.at(26 * day), doneBy: "sari"))
        #expect(e.tick(now: Floor.at(26 * day)).changes.map(\.change) == [.resolved, .resolved])
    }
}
