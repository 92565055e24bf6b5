public import AgentStore
public import ContaminationRules
public import FloorModel
public import Telemetry
import HTTPTypes

// What the pages read when a server has no such store (tests of other parts, a console
// without a site): empty answers, and edits refused with 503.

/// No floor stored.
public struct NoFloors: FloorReading {
    public init() {}
    public func floors() async throws -> [Floor] { [] }
    public func floor(containing id: CIID) async throws -> Floor? { nil }
    public func revision() async throws -> String { "" }
}

/// No floor to edit: every edit answers 503.
public struct NoFloorEdits: FloorEditing {
    public init() {}
    static var unavailable: APIError { APIError(.serviceUnavailable, code: "edits_unavailable", message: "this server cannot edit the floor") }
    public func addDevice(_ device: Device, actor: String) async throws -> FloorEdit { throw Self.unavailable }
    public func moveDevice(_ id: CIID, to rack: CIID, position: HalfU?, face: RackFace, poweredBy: [CIID]?, actor: String) async throws -> FloorEdit {
        throw Self.unavailable
    }
    public func setLifecycle(device id: CIID, to state: Lifecycle, reason: String, actor: String) async throws { throw Self.unavailable }
    public func fitPreview(device: CIID?, type: String?, rack: CIID, position: HalfU?, face: RackFace) async throws -> [FitProblem] {
        throw Self.unavailable
    }
    public func fitPreview(adding device: Device) async throws -> [FitProblem] { throw Self.unavailable }
}

/// No readings.
public struct NoSamples: SampleReading {
    public init() {}
    public func latest(ci: CIID?) async throws -> [Reading] { [] }
    public func samples(_ point: PointID, from: Timestamp, to: Timestamp, limit: Int) async throws -> [Reading] { [] }
    public func rollups(_ point: PointID, from: Timestamp, to: Timestamp) async throws -> [HourlyRollup] { [] }
    public func descriptors() async throws -> [PointDescriptor] { [] }
}

/// No audit trail.
public struct NoAudit: AuditReading {
    public init() {}
    public func entries(object: String?, limit: Int, beforeSeq: Int64?) async throws -> [AuditTrail.Entry] { [] }
    public func verify() async throws -> AuditTrail.Verification {
        throw APIError(.serviceUnavailable, code: "audit_unavailable", message: "this server has no audit trail")
    }
}

/// No checklist runs.
public struct NoChecklists: ChecklistReading {
    public init() {}
    public func runs(target: CIID) async throws -> [ChecklistRun] { [] }
    public func run(id: String) async throws -> ChecklistRun? { nil }
}
