public import Telemetry

/// A temperature field over a room, interpolated from a few measured probes.
///
/// Positions are in **tile units** on the room's grid: `x` runs east from the grid's west
/// edge (column 1 spans 0 ≤ x < 1), `y` runs south from its north edge (row A spans
/// 0 ≤ y < 1), so the centre of tile `C07` is (6.5, 2.5). Values are in the probes' unit
/// (°C for a thermal map).
///
/// The interpolation is **inverse-distance weighting with power 2 (Shepard's method)**:
///
///     value(p) = Σ wᵢ·vᵢ / Σ wᵢ,   wᵢ = 1 / dᵢ²,   dᵢ = |p − probeᵢ|
///
/// Chosen because it is honest about what it knows: it passes exactly through every probe,
/// never leaves the probes' [min, max] (a weighted mean cannot overshoot, unlike splines or
/// kriging), needs no tuning, and is cheap enough to evaluate at every cell of a plan. Its
/// known weakness (flat "bulls-eyes" around each probe and a drift to the global mean far
/// from all probes) is acceptable for a drawing that marks which dots are measured. Power 2
/// needs no square root: wᵢ is the inverse of the squared distance directly.
public struct ThermalField: Hashable, Sendable {
    /// One measured point.
    public struct Probe: Hashable, Sendable {
        /// The sensor's CI id (drawn as `data-ci`).
        public var id: CIID
        /// East position in tile units from the grid's west edge.
        public var x: Double
        /// South position in tile units from the grid's north edge.
        public var y: Double
        /// The measured value (°C for a thermal map).
        public var value: Double

        /// Creates a probe at a position in tile units.
        public init(id: CIID, x: Double, y: Double, value: Double) {
            self.id = id
            self.x = x
            self.y = y
            self.value = value
        }

        /// Creates a probe at the centre of a tile: `C07` is (6.5, 2.5).
        public init(id: CIID, tile: Tile, value: Double) {
            self.init(id: id, x: Double(tile.column) - 0.5, y: Double(tile.row) + 0.5, value: value)
        }
    }

    /// The exponent of the distance in the weights (Shepard's classic choice).
    public static let power = 2.0

    /// Squared distance (tile units²) under which a point counts as the probe's own position:
    /// 10⁻¹² tile² is about a micrometre on a 600 mm tile, and keeps 1/d² finite.
    static let samePoint = 1e-12

    /// The probes; non-finite values are left out at creation.
    public var probes: [Probe]
    /// How far from the nearest probe the field is drawn, in tiles; nil for everywhere.
    /// Far from every probe IDW only tends to the probes' mean, which says nothing about
    /// that spot (a hot aisle without a probe would show the cold aisles' mean); with a
    /// reach, such points have no value and the thermal layer leaves them blank. About 3
    /// tiles suits a room with a probe on every rack.
    public var reach: Double?

    /// Creates a field from probes, dropping any whose value or position is not finite
    /// (a NaN would poison every interpolated cell).
    public init(probes: [Probe], reach: Double? = nil) {
        self.probes = probes.filter { $0.value.isFinite && $0.x.isFinite && $0.y.isFinite }
        self.reach = reach
    }

    /// The probes of a room from sensor values (sensor id → value): a sensor on a tile sits
    /// at that tile's centre; a sensor in a rack sits on the middle of the rack tile's edge
    /// on the sensor's face (the front edge for an inlet probe, where it measures), so an
    /// inlet probe and an exhaust probe of the same rack are half a tile apart. Sensors
    /// without a value are left out.
    public init(floor: Floor, room: CIID, values: [CIID: Double], reach: Double? = nil) {
        var probes: [Probe] = []
        for s in floor.sensors {
            guard let v = values[s.id] else { continue }
            switch s.location {
            case .tile(let r, let t) where r == room:
                probes.append(Probe(id: s.id, tile: t, value: v))
            case .rack(let rid, _, let face):
                guard let rack = floor.racks.first(where: { $0.id == rid && $0.room == room }) else { continue }
                let centre = Probe(id: s.id, tile: rack.tile, value: v)
                let side = face == .front ? rack.facing : rack.facing.opposite
                let (dx, dy): (Double, Double) =
                    switch side {
                    case .north: (0, -0.5)
                    case .south: (0, 0.5)
                    case .east: (0.5, 0)
                    case .west: (-0.5, 0)
                    }
                probes.append(Probe(id: s.id, x: centre.x + dx, y: centre.y + dy, value: v))
            default: break
            }
        }
        self.init(probes: probes, reach: reach)
    }

    /// The interpolated value at (x, y) in tile units; nil when there are no probes (or
    /// none within ``reach``). At a probe's own position it is that probe's value exactly
    /// (several probes at one spot give their mean); with one probe it is that probe's
    /// value everywhere (within reach).
    public func value(x: Double, y: Double) -> Double? {
        guard !probes.isEmpty else { return nil }
        var atPoint: [Double] = []
        var sumW = 0.0
        var sumWV = 0.0
        var nearest = Double.infinity
        for p in probes {
            let d2 = (x - p.x) * (x - p.x) + (y - p.y) * (y - p.y)
            nearest = Swift.min(nearest, d2)
            if d2 < Self.samePoint {
                atPoint.append(p.value)
                continue
            }
            let w = 1 / d2  // 1 / d^power with power 2
            sumW += w
            sumWV += w * p.value
        }
        if !atPoint.isEmpty { return atPoint.reduce(0, +) / Double(atPoint.count) }
        if let reach, nearest > reach * reach { return nil }
        // Clamp against rounding: a weighted mean lies within the probes' range.
        let v = sumWV / sumW
        return range.map { Swift.min($0.upperBound, Swift.max($0.lowerBound, v)) } ?? v
    }

    /// The lowest and highest probe value; nil without probes.
    public var range: ClosedRange<Double>? {
        guard let lo = probes.map(\.value).min(), let hi = probes.map(\.value).max() else { return nil }
        return lo...hi
    }
}
