public import Telemetry

/// A validated, compiled SNMP profile for one sensor: what to GET, what to walk, and how each
/// varbind becomes a point. Built once at start (STYLE.md habit 5).
public struct SNMPReadPlan: Hashable, Sendable {
    /// A scalar point: one instance OID.
    public struct Scalar: Hashable, Sendable {
        /// How the value converts.
        public var rule: SNMPPointRule
        /// The instance to GET.
        public var oid: SNMPOID
        /// Where its decimal digits are read, if it has them.
        public var decimalsOID: SNMPOID?
        /// `absent_if` then `bad_if` conditions, read beside the value.
        public var conditions: [Condition]
    }

    /// A walked column: every row whose index matches becomes one point.
    public struct Table: Hashable, Sendable {
        /// The conversion; `rule.name` is the name template.
        public var rule: SNMPPointRule
        /// The column to walk.
        public var root: SNMPOID
        /// Index arcs to match (`nil` = any arc); nil pattern = any index.
        public var pattern: [UInt32?]?
        /// Decimal-digits OID template, arcs or the row's index.
        public var decimals: [TemplateArc]?
        /// `absent_if` then `bad_if` conditions, read beside each row's value.
        public var conditions: [Condition]

        /// True when `index` matches the pattern.
        public func matches(_ index: [UInt32]) -> Bool {
            guard let pattern else { return !index.isEmpty }
            return pattern.count == index.count && zip(pattern, index).allSatisfy { $0 == nil || $0 == $1 }
        }

        /// The point name of the row at `index`, nil when the template names an arc the index lacks.
        public func pointName(_ index: [UInt32]) -> String? {
            SNMPReadPlan.expand(rule.name, index: index)
        }

        /// The decimals OID of the row at `index`.
        public func decimalsOID(_ index: [UInt32]) -> SNMPOID? {
            decimals.flatMap { SNMPReadPlan.instantiate($0, index: index) }
        }

    }

    /// An `absent_if` or `bad_if` entry: the OID (template) read beside the value and what it
    /// does to the point. For a scalar the template is fixed arcs.
    public struct Condition: Hashable, Sendable {
        /// The OID template.
        public var template: [TemplateArc]
        /// The test and its effect.
        public var condition: PointCondition

        /// The OID to read for the row at `index` (`[]` for a scalar); nil when an arc is missing.
        public func oid(_ index: [UInt32]) -> SNMPOID? { SNMPReadPlan.instantiate(template, index: index) }
    }

    /// One arc of an OID template.
    public enum TemplateArc: Hashable, Sendable {
        /// A fixed arc.
        case arc(UInt32)
        /// The whole row index.
        case index
        /// Arc `k` (1-based) of the row index.
        case indexArc(Int)
    }

    /// The sensor the plan was compiled for.
    public var sensor: CIID
    /// Scalar points in profile order.
    public var scalars: [Scalar]
    /// Walked columns in profile order.
    public var tables: [Table]
    /// Most varbinds per GET.
    public var maxVarBinds: Int
    /// GETBULK max-repetitions.
    public var maxRepetitions: Int

    /// What `conditions` say about the row at `index` (`[]` for a scalar), given the values read
    /// beside it (`value(oid)`, nil when the OID was not answered): see ``ConditionVerdict``.
    public static func verdict(_ conditions: [Condition], index: [UInt32], value: (SNMPOID) -> SNMPValue?)
        -> ConditionVerdict
    {
        verdict(conditions, oids: conditions.map { $0.oid(index) }, value: value)
    }

    static func verdict(_ conditions: [Condition], oids: [SNMPOID?], value: (SNMPOID) -> SNMPValue?)
        -> ConditionVerdict
    {
        ConditionVerdict.evaluate(
            zip(conditions, oids).map { c, oid in
                (c.condition, oid.map(\.description) ?? "?", oid.flatMap(value).flatMap(integer))
            })
    }

    /// The integer a condition compares; nil for anything else (missing object, text, …).
    static func integer(_ value: SNMPValue) -> Double? {
        switch value {
        case .integer(let v): Double(v)
        case .unsigned(let v): Double(v)
        default: nil
        }
    }

    /// The descriptor of the point `name` of this plan's sensor, read by `rule`.
    public func descriptor(name: String, rule: SNMPPointRule) -> PointDescriptor? {
        PointID(ci: sensor, name: name).map {
            PointDescriptor(id: $0, quantity: rule.quantity, unit: rule.unit, states: rule.states, powerRole: rule.powerRole)
        }
    }

    /// The scalar points, known without reading the device (table rows need a walk).
    public var scalarPoints: [PointDescriptor] { scalars.compactMap { descriptor(name: $0.rule.name, rule: $0.rule) } }

    /// Default varbinds per GET.
    public static let defaultMaxVarBinds = 32
    /// Default GETBULK max-repetitions.
    public static let defaultMaxRepetitions = 25

    /// The OID a template gives for a row index; nil when an arc is missing.
    public static func instantiate(_ template: [TemplateArc], index: [UInt32]) -> SNMPOID? {
        var arcs: [UInt32] = []
        for part in template {
            switch part {
            case .arc(let a): arcs.append(a)
            case .index: arcs += index
            case .indexArc(let k):
                guard k <= index.count else { return nil }
                arcs.append(index[k - 1])
            }
        }
        return SNMPOID(components: arcs)
    }

    /// Replaces `{index}` with the dotted index and `{k}` with arc k; nil when an arc is missing.
    public static func expand(_ template: String, index: [UInt32]) -> String? {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            let key = rest[rest.index(after: open)..<close]
            if key == "index" {
                out += index.map(String.init).joined(separator: ".")
            } else if let k = Int(key), k >= 1, k <= index.count {
                out += String(index[k - 1])
            } else {
                return nil
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
