public import Telemetry

/// The computed view of one rack for drawing: what is mounted where, and its utilisation.
public struct RackElevation: Hashable, Sendable {
    /// A mounted thing as drawn.
    public struct Item: Hashable, Sendable {
        /// CI id.
        public var id: CIID
        /// Label drawn on it.
        public var label: String
        /// Units it occupies.
        public var span: USpan
        /// Faces it shows on: both for full depth.
        public var faces: Set<RackFace>
        /// Lifecycle (colour).
        public var lifecycle: Lifecycle

        /// Creates an item.
        public init(id: CIID, label: String, span: USpan, faces: Set<RackFace>, lifecycle: Lifecycle) {
            self.id = id
            self.label = label
            self.span = span
            self.faces = faces
            self.lifecycle = lifecycle
        }
    }

    /// A thing without a rack unit: a vertical PDU on one side, or a 0U device.
    public struct ZeroUItem: Hashable, Sendable {
        /// CI id.
        public var id: CIID
        /// Label drawn (a device's name, a PDU's id).
        public var label: String
        /// The feed side of a vertical PDU; nil for a device.
        public var side: FeedSide?

        /// Creates an entry.
        public init(id: CIID, label: String, side: FeedSide? = nil) {
            self.id = id
            self.label = label
            self.side = side
        }

        /// The English text: `PDU-A (0U, side A)`, `sensor hub (0U)`.
        public var text: String { side.map { "\(label) (0U, side \($0.rawValue))" } ?? "\(label) (0U)" }
    }

    /// The rack.
    public var rack: Rack
    /// Racked devices and horizontal PDUs.
    public var items: [Item]
    /// 0U things (vertical PDUs, 0U devices), in the order of their English text.
    public var zeroUItems: [ZeroUItem]
    /// The 0U things as English text (`T-R01-PDU-A (0U, side A)`).
    public var zeroU: [String] { zeroUItems.map(\.text) }
    /// Half units used on at least one face, out of `rack.heightU * 2`.
    public var usedHalves: Int
    /// Planned power, W.
    public var powerW: Double
    /// Weight, kg.
    public var weightKg: Double

    /// Creates an elevation from parts.
    public init(rack: Rack, items: [Item], zeroU: [ZeroUItem], usedHalves: Int, powerW: Double, weightKg: Double) {
        self.rack = rack
        self.items = items
        self.zeroUItems = zeroU
        self.usedHalves = usedHalves
        self.powerW = powerW
        self.weightKg = weightKg
    }

    /// Computes the elevation of a rack of a floor (disposed devices are left out).
    public init(floor: Floor, rack: Rack) {
        let ctx = FitContext(floor: floor, rack: rack.id)
        var items: [Item] = []
        var zero: [ZeroUItem] = []
        for d in floor.devices(in: rack.id) where d.lifecycle.occupiesSpace {
            guard let m = floor.mountable(d) else { continue }
            if let span = m.span {
                items.append(Item(id: d.id, label: d.name, span: span, faces: m.faces, lifecycle: d.lifecycle))
            } else {
                zero.append(ZeroUItem(id: d.id, label: d.name))
            }
        }
        for p in floor.pdus where p.rack == rack.id && p.lifecycle.occupiesSpace {
            guard let m = floor.mountable(p) else { continue }
            if let span = m.span {
                items.append(Item(id: p.id, label: p.id.rawValue, span: span, faces: m.faces, lifecycle: p.lifecycle))
            } else {
                zero.append(ZeroUItem(id: p.id, label: p.id.rawValue, side: p.side))
            }
        }
        var used = Set<Int>()
        for i in items { for h in i.span.bottom.halves..<i.span.end.halves { used.insert(h) } }
        let r = rack.span
        self.init(
            rack: rack, items: items.sorted { $0.span.bottom > $1.span.bottom }, zeroU: zero.sorted { $0.text < $1.text },
            usedHalves: used.filter { $0 >= r.bottom.halves && $0 < r.end.halves }.count,
            powerW: ctx.occupants.reduce(0) { $0 + $1.powerW }, weightKg: ctx.occupants.reduce(0) { $0 + $1.weightKg })
    }

    /// True when no item covers this half unit on this face.
    public func isFree(half: Int, face: RackFace) -> Bool {
        !items.contains { $0.faces.contains(face) && $0.span.bottom.halves <= half && half < $0.span.end.halves }
    }
}
