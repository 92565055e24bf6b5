/// The four checklists of Lampiran II I.1.b.3–6.
public enum ChecklistKind: String, Hashable, Sendable, Codable, CaseIterable {
    case preInstallation = "pre-installation"
    case postInstallation = "post-installation"
    case decommissioning
    case cableCheck = "cable-check"

    /// What a run of this kind is bound to.
    public var targetKind: ChecklistTargetKind { self == .cableCheck ? .rack : .device }
}

/// Whether a run is bound to a device or a rack.
public enum ChecklistTargetKind: String, Hashable, Sendable, Codable, CaseIterable {
    case device, rack
}

/// Checks the agent can answer itself from the floor model (and later from live readings).
public enum AutoCheck: String, Hashable, Sendable, Codable, CaseIterable {
    /// Free units at the planned position and face (``FitCheck``).
    case space
    /// Rack weight limit (``FitCheck``).
    case weight
    /// Rack power budget and PDU/feed ratings (``FitCheck``).
    case power
    /// Rack cooling budget (``FitCheck``).
    case cooling
    /// Exhaust not into a cold aisle (``FitCheck``).
    case airflow
    /// Power supplies plugged into an A-side and a B-side PDU.
    case poweredFromAB = "powered-a-b"
    /// Every cable of the device (or rack) recorded, both ends existing, status connected.
    case cablesConnected = "cables-connected"
    /// No connected or planned cable left on the device.
    case cablesRemoved = "cables-removed"
    /// No service still hosted on the device.
    case servicesMoved = "services-moved"
    /// Live sensor readings normal (needs the rules engine; not evaluable from the model alone).
    case sensorReadings = "sensor-readings"

    /// True when the floor model decides it, so a person may not answer it by hand.
    public var decidedByModel: Bool { self != .sensorReadings }
}

/// One item of a checklist template.
public struct ChecklistItem: Hashable, Sendable, Codable {
    /// Stable id inside the template (`space`, `packaging`).
    public var id: String
    /// The question, for a person.
    public var text: String
    /// The regulation clause it serves (`Lampiran II I.2.b.3`).
    public var reference: String?
    /// Set when the agent evaluates the item from the model.
    public var automatic: AutoCheck?
}

/// A checklist template, edited as YAML in `config/checklists/`.
public struct ChecklistTemplate: Hashable, Sendable, Codable {
    /// Template id (`pre-installation`).
    public var id: String
    /// Which of the four checklists it is.
    public var kind: ChecklistKind
    /// Title for people.
    public var title: String
    /// Template version, so a run records which wording was answered.
    public var version: Int = 1
    /// The items in order.
    public var items: [ChecklistItem]

    /// Problems with the template itself: no items, duplicate or empty item ids, empty texts.
    public func problems() -> [FloorProblem] {
        var out: [FloorProblem] = []
        if items.isEmpty { out.append(.init(object: id, field: "items", code: .invalidValue, message: "a checklist needs at least one item")) }
        var seen: Set<String> = []
        for item in items {
            if item.id.isEmpty { out.append(.init(object: id, field: "items.id", code: .invalidValue, message: "an item has an empty id")) }
            if !seen.insert(item.id).inserted { out.append(.init(object: id, field: "items.\(item.id)", code: .duplicateID, message: "item id \(item.id) is used twice")) }
            if item.text.isEmpty { out.append(.init(object: id, field: "items.\(item.id).text", code: .invalidValue, message: "item \(item.id) has no text")) }
        }
        return out
    }
}
