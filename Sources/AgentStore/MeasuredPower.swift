import ContaminationRules
import FloorModel
import GRDB
import Telemetry

/// The measured side of the fit check (``FitContext/measuredW``, DESIGN decision 18): the latest
/// `power_total` of a rack and of each of its PDUs, as the rules engine wrote them. Checklist
/// runs (``ChecklistRepository``) and floor edits (``FloorRepository``: add, move, preview)
/// both read it here; ``LiveSite/measuredW`` keeps the usable, fresh ones.
enum MeasuredPower {
    /// The latest `power_total` reading of the rack and of each PDU in it, in a transaction.
    static func readings(_ db: Database, floor: Floor, rack: CIID) throws -> [Reading] {
        var power: [Reading] = []
        for ci in [rack] + floor.pdus.filter({ $0.rack == rack }).map(\.id) {
            power += try SampleStore.latest(db, ci: ci).filter { $0.point.name == PowerTree.totalPointName }
        }
        return power
    }

    /// Watts measured now on the rack and its PDUs: the readings above that are usable and
    /// fresh at `now` (the checklist's rule, ``LiveSite/measuredW``).
    static func watts(_ db: Database, floor: Floor, rack: CIID, now: Timestamp) throws -> [CIID: Double] {
        LiveSite(latest: [], firing: [], now: now, power: try readings(db, floor: floor, rack: rack)).measuredW
    }
}
