/// One thing the planner must read: a run of `width` units of one table starting at `address`.
public struct PlannerField: Hashable, Sendable {
    /// The table.
    public var kind: RegisterKind
    /// The 0-based protocol address of the first unit.
    public var address: Int
    /// How many registers (or bits) it spans.
    public var width: Int

    /// One past the last unit.
    public var end: Int { address + width }
}

/// Planner inputs that come from the device model (quirks) rather than from the protocol.
public struct PlannerOptions: Hashable, Sendable {
    /// Most registers per request (at most ``ModbusLimits/maxRegistersPerRequest``).
    public var maxRegisters: Int
    /// Most bits per request (at most ``ModbusLimits/maxBitsPerRequest``).
    public var maxBits: Int
    /// One request per field, never merged.
    public var onePerField: Bool
    /// Largest hole (unmapped units between two fields) read across to merge requests.
    public var bridgeHoles: Int

    /// Creates options; values above the protocol limits are clamped to them.
    public init(
        maxRegisters: Int = ModbusLimits.maxRegistersPerRequest, maxBits: Int = ModbusLimits.maxBitsPerRequest,
        onePerField: Bool = false, bridgeHoles: Int = 0
    ) {
        self.maxRegisters = min(max(1, maxRegisters), ModbusLimits.maxRegistersPerRequest)
        self.maxBits = min(max(1, maxBits), ModbusLimits.maxBitsPerRequest)
        self.onePerField = onePerField
        self.bridgeHoles = max(0, bridgeHoles)
    }

    /// Options from a profile's quirks.
    public init(_ quirks: ModbusQuirks?) {
        self.init(
            maxRegisters: quirks?.maxRegisters ?? ModbusLimits.maxRegistersPerRequest,
            maxBits: quirks?.maxBits ?? ModbusLimits.maxBitsPerRequest,
            onePerField: quirks?.onePerPoint ?? false, bridgeHoles: quirks?.bridgeHoles ?? 0)
    }

    /// The per-request limit for a table.
    public func limit(for kind: RegisterKind) -> Int { kind.isBit ? maxBits : maxRegisters }
}

/// One read request of a plan.
public struct ModbusRequest: Hashable, Sendable, CustomStringConvertible {
    /// The table read.
    public var kind: RegisterKind
    /// First 0-based address read.
    public var start: Int
    /// Number of units read.
    public var count: Int
    /// Indices (into the planner's input) of the fields this request covers.
    public var fields: [Int]

    /// Creates a request.
    public init(kind: RegisterKind, start: Int, count: Int, fields: [Int] = []) {
        self.kind = kind
        self.start = start
        self.count = count
        self.fields = fields
    }

    /// One past the last address read.
    public var end: Int { start + count }

    /// The request PDU after the unit id: function, address, quantity.
    public var pdu: [UInt8] {
        [kind.readFunction, UInt8(start >> 8), UInt8(start & 0xFF), UInt8(count >> 8), UInt8(count & 0xFF)]
    }

    public var description: String { "\(kind.rawValue)[\(start)..<\(end)]" }
}

/// Turns the fields of a device into read requests: a pure function (STYLE.md habit 7).
public enum RequestPlanner {
    /// Sorts by table and address, merges contiguous or overlapping fields, bridges holes of up to
    /// `options.bridgeHoles` units, and splits where a request would exceed the table's limit.
    /// A field wider than the limit gets a request of its own (validation rejects those before).
    public static func plan(_ fields: [PlannerField], options: PlannerOptions = PlannerOptions()) -> [ModbusRequest] {
        let order = fields.indices.sorted { a, b in
            let x = fields[a], y = fields[b]
            return (x.kind, x.address, -x.width, a) < (y.kind, y.address, -y.width, b)
        }
        var requests: [ModbusRequest] = []
        var current: ModbusRequest?
        for i in order {
            let f = fields[i]
            if var c = current, c.kind == f.kind, !options.onePerField,
                f.address - c.end <= options.bridgeHoles,
                max(c.end, f.end) - c.start <= options.limit(for: f.kind)
            {
                c.count = max(c.end, f.end) - c.start
                c.fields.append(i)
                current = c
                continue
            }
            if let c = current { requests.append(c) }
            current = ModbusRequest(kind: f.kind, start: f.address, count: f.width, fields: [i])
        }
        if let c = current { requests.append(c) }
        return requests
    }

    /// The line logged once at start: "4 requests touching 52 input registers on unit 3".
    public static func summary(_ requests: [ModbusRequest], unit: Int) -> String {
        var perKind: [RegisterKind: Int] = [:]
        for r in requests { perKind[r.kind, default: 0] += r.count }
        let touched = perKind.keys.sorted().map { "\(perKind[$0]!) \($0.pluralName)" }
        let what = touched.isEmpty ? "nothing" : touched.joined(separator: " and ")
        let noun = requests.count == 1 ? "request" : "requests"
        return "\(requests.count) \(noun) touching \(what) on unit \(unit)"
    }
}
