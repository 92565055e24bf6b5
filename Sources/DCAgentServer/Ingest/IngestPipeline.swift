package import AgentStore
package import ContaminationRules
package import Logging
package import SensorDrivers
import Synchronization
package import Telemetry

/// The daemon's ingest path, one typed pipeline:
///
/// ```
/// pollers ──PollEvent──► IngestPipeline ──[IngestItem]──► BatchWriter ──CommittedBatch──► RuleInbox ──► RulesService ──► event log
///                         (new points,        (points, readings, health   (one transaction:          (bounded,            (events, derived
///                          first poll =        in poll order; bounded,     points + readings)         drops oldest          readings and state
///                          online)             drops oldest readings)                                 readings, counted)    in one commit)
/// ```
///
/// A poll's new points (SNMP table rows known after a walk) are registered in the writer's
/// transaction, ahead of the readings that need them — never by a write of the poller's own.
/// Device health travels through the writer with the readings it follows, so the rules never
/// see "offline" before the last readings that came before it. Nothing here blocks a poller.
package final class IngestPipeline<C: Clock>: Sendable where C.Duration == Duration {
    package let writer: BatchWriter<C>
    private let inbox: RuleInbox?
    private let seen: Mutex<Seen>
    private let logger: Logger

    private struct Seen {
        /// Points whose descriptors are registered (or queued for registration).
        var points: Set<PointID>
        /// Devices whose first poll since start (or since they came back) was reported online.
        var online: Set<CIID> = []
    }

    /// `registered`: the points already registered at start; `inbox`: the rules' input, nil
    /// when the config has no rules; `committed` also sees each committed batch, after the
    /// rules' inbox (the metrics: the last committed value of each point).
    package init(
        store: SampleStore, settings: BatchWriter<C>.Settings, clock: C, registered: [PointDescriptor], inbox: RuleInbox?,
        committed: (@Sendable (CommittedBatch) -> Void)? = nil, logger: Logger
    ) {
        self.inbox = inbox
        self.logger = logger
        seen = Mutex(Seen(points: Set(registered.map(\.id))))
        let onCommit: (@Sendable (CommittedBatch) -> Void)? =
            switch (inbox, committed) {
            case (nil, nil): nil
            case (let inbox?, nil): { @Sendable batch in inbox.submit(.committed(batch)) }
            case (nil, let committed?): committed
            case (let inbox?, let committed?):
                { @Sendable batch in
                    inbox.submit(.committed(batch))
                    committed(batch)
                }
            }
        writer = BatchWriter(store: store, settings: settings, clock: clock, logger: logger, onCommit: onCommit)
    }

    /// Readings dropped on the way (writer queue and rules queue), since start: the engine's
    /// data-loss event counts these.
    package var droppedReadings: Int { writer.health.dropped + (inbox?.droppedReadings ?? 0) }

    /// A poller's output. `points` are the descriptors its reader knows now.
    package func accept(_ event: PollEvent, points: @autoclosure () -> [PointDescriptor]) {
        var items: [IngestItem] = []
        switch event {
        case .readings(let ci, let readings):
            let fresh = newPoints(readings, known: points)
            if !fresh.isEmpty {
                items.append(.points(fresh))
                logger.info("new points registered", metadata: ["sensor.id": "\(ci)", "points.new": "\(fresh.count)"])
            }
            items.append(.readings(readings))
            // A device's first poll after a start also counts as "online", so an offline event
            // carried over a restart resolves.
            if seen.withLock({ $0.online.insert(ci).inserted }) { items.append(.health(.init(device: ci, online: true))) }
        case .offline(let ci, let reason):
            seen.withLock { _ = $0.online.remove(ci) }
            items.append(.health(.init(device: ci, online: false, reason: reason)))
        case .online(let ci):
            seen.withLock { _ = $0.online.insert(ci) }
            items.append(.health(.init(device: ci, online: true)))
        }
        writer.submit(items)
    }

    /// A new generation of sensors is polled: its points are registered (in the writer's next
    /// transaction), a removed device's "first poll" is forgotten and its events resolve.
    package func installed(points: [PointDescriptor], polled: Set<CIID>, removed: [CIID]) {
        let fresh = seen.withLock { s -> [PointDescriptor] in
            s.online = s.online.filter { polled.contains($0) }
            return points.filter { s.points.insert($0.id).inserted }
        }
        if !fresh.isEmpty { writer.submit([.points(fresh)]) }
        if !removed.isEmpty { inbox?.submit(.retired(removed)) }
    }

    /// The descriptors of readings' points not registered yet (looked up only when there are
    /// some), each at most once.
    private func newPoints(_ readings: [Reading], known: () -> [PointDescriptor]) -> [PointDescriptor] {
        guard seen.withLock({ s in readings.contains { !s.points.contains($0.point) } }) else { return [] }
        let descriptors = known()
        return seen.withLock { s in
            let fresh = descriptors.filter { s.points.insert($0.id).inserted }
            for r in readings { s.points.insert(r.point) }
            return fresh
        }
    }
}
