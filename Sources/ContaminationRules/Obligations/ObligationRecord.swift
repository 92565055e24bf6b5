public import Telemetry

/// A yearly obligation of a room (Lampiran II I.2.b.1, I.2.b.4, B.2.f.h).
public enum ObligationKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Measurement of dust particles (I.2.b.1).
    case particleMeasurement = "particle_measurement"
    /// Measurement of corrosive compounds (I.2.b.1).
    case corrosionMeasurement = "corrosion_measurement"
    /// Cleaning (I.2.b.4).
    case cleaning
    /// Audit of configuration information (B.2.f.h).
    case ciAudit = "ci_audit"

    /// The decree's section requiring it.
    public var citation: String {
        switch self {
        case .particleMeasurement, .corrosionMeasurement: "Lampiran II I.2.b.1"
        case .cleaning: "Lampiran II I.2.b.4"
        case .ciAudit: "Lampiran II B.2.f.h"
        }
    }

    /// A person's name for it.
    public var title: String {
        switch self {
        case .particleMeasurement: "dust particle measurement"
        case .corrosionMeasurement: "corrosive gas measurement"
        case .cleaning: "cleaning"
        case .ciAudit: "configuration information audit"
        }
    }
}

/// One record of an obligation done (DESIGN decision 10: the single records model).
public struct ObligationRecord: Hashable, Sendable, Codable {
    /// The room it was done in.
    public var room: CIID
    /// What was done.
    public var kind: ObligationKind
    /// When it was done.
    public var doneAt: Timestamp
    /// Who did it (a person or the team).
    public var doneBy: String
    /// The third party that did it, if any (contractor, laboratory).
    public var thirdParty: String?
    /// The DC/DRC operator who escorted a third party (I.2.b.4.b).
    public var escort: String?
    /// Free note (cabling area checked, I.2.b.4.a; sample locations; results).
    public var note: String
    /// Reference to the document (lab report number, work order).
    public var documentReference: String?

    /// Creates a record.
    public init(
        room: CIID, kind: ObligationKind, doneAt: Timestamp, doneBy: String, thirdParty: String? = nil, escort: String? = nil,
        note: String = "", documentReference: String? = nil
    ) {
        self.room = room
        self.kind = kind
        self.doneAt = doneAt
        self.doneBy = doneBy
        self.thirdParty = thirdParty
        self.escort = escort
        self.note = note
        self.documentReference = documentReference
    }

    /// Problems that make the record incomplete, keyed by field: `doneBy` empty; a third
    /// party's cleaning of a sensitive room without an escort (I.2.b.4.b).
    public func problems(roomIsSensitive: Bool) -> [String: String] {
        var result: [String: String] = [:]
        if doneBy.trimmed.isEmpty { result["doneBy"] = "who did the \(kind.title) is required" }
        if let party = thirdParty, !party.trimmed.isEmpty, kind == .cleaning, roomIsSensitive, (escort ?? "").trimmed.isEmpty {
            result["escort"] =
                "cleaning of sensitive room \(room) by third party \(party) needs an escort by the DC/DRC operator (Lampiran II I.2.b.4.b)"
        }
        return result
    }
}

extension String {
    var trimmed: String { String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
}
