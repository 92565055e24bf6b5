public import Telemetry

// Shared by Modbus and SNMP profiles: "this value is absent / bad when another value of the
// same device holds …" (`absent_if`, `bad_if`), and the valid range of an engineering value
// (`range`). The protocol parts only say where the other value is read (a point of the profile,
// an OID beside the value); what the test means and what it does to the reading is here, once.

/// A test on another value of the same device: it holds when that value is one of `values`
/// (`equals: [2]`), or, negated, when it is none of them (`not_equals: [1]`: "valid only when
/// the status register holds 1").
public struct ValueTest: Hashable, Sendable, CustomStringConvertible {
    /// The values compared with.
    public let values: Set<Double>
    /// True for `not_equals`.
    public let negated: Bool

    /// Creates a test.
    public init(values: Set<Double>, negated: Bool = false) {
        self.values = values
        self.negated = negated
    }

    /// True when `value` satisfies the test.
    public func holds(_ value: Double) -> Bool { values.contains(value) != negated }

    /// The test from a profile's `equals` / `not_equals`, or why it cannot be one.
    static func parse(equals: [Double]?, notEquals: [Double]?) -> Result<ValueTest, ConditionProblem> {
        switch (equals, notEquals) {
        case (let e?, nil) where !e.isEmpty: .success(ValueTest(values: Set(e)))
        case (nil, let n?) where !n.isEmpty: .success(ValueTest(values: Set(n), negated: true))
        case (.some, .some): .failure(ConditionProblem("give equals or not_equals, not both"))
        default: .failure(ConditionProblem("needs a non-empty equals or not_equals list"))
        }
    }

    /// `= 2`, `in {0, 1}`, `≠ 1`, `not in {…}`.
    public var description: String {
        let sorted = values.sorted().map(NumberText.plain)
        if sorted.count == 1 { return (negated ? "≠ " : "= ") + sorted[0] }
        return (negated ? "not in {" : "in {") + sorted.joined(separator: ", ") + "}"
    }
}

/// What a point becomes while a condition holds.
public enum ConditionEffect: Hashable, Sendable {
    /// Not fitted / not supported (`absent_if`): quality `absent`.
    case absent
    /// Error (`bad_if`): quality `bad` with the profile's reason.
    case bad(reason: String)
}

/// Why a condition in a profile cannot be used; the caller adds the point and the key.
struct ConditionProblem: Error, Hashable, Sendable {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}

/// "This point is absent / bad while another value of the device passes `test`": the compiled
/// form of one `absent_if` or `bad_if` entry, whatever protocol reads the other value.
public struct PointCondition: Hashable, Sendable {
    /// The test on the other value.
    public let test: ValueTest
    /// What the point becomes while it holds.
    public let effect: ConditionEffect

    /// The condition from a profile entry, or why it is not one; `reason` is required for
    /// `bad_if` and refused for `absent_if`.
    static func parse(absent: Bool, equals: [Double]?, notEquals: [Double]?, reason: String?)
        -> Result<PointCondition, ConditionProblem>
    {
        let test: ValueTest
        switch ValueTest.parse(equals: equals, notEquals: notEquals) {
        case .success(let t): test = t
        case .failure(let p): return .failure(p)
        }
        if absent {
            guard reason == nil else { return .failure(ConditionProblem("absent_if takes no reason (absent needs none)")) }
            return .success(PointCondition(test: test, effect: .absent))
        }
        guard let reason, !reason.isEmpty else {
            return .failure(ConditionProblem("bad_if needs a reason (what the vendor means by it)"))
        }
        return .success(PointCondition(test: test, effect: .bad(reason: reason)))
    }
}

/// The outcome of a point's conditions at one read.
public struct ConditionVerdict: Hashable, Sendable {
    /// `absent` when an `absent_if` holds, else `bad(reason (SOURCE = V))` for the first `bad_if`
    /// that holds, else nil.
    public var quality: Quality?
    /// Some condition's value could not be read: the point's value is kept as `uncertain`.
    public var unreadable: Bool

    /// Evaluates a point's conditions. Each comes with where its value was read (a point name,
    /// an OID: named in the bad reason) and that value, nil when it could not be read (a failed
    /// request, a missing OID, a value that is itself absent or bad). Not fitted wins over
    /// error: any `absent_if` that holds makes the point absent.
    public static func evaluate(_ checks: [(condition: PointCondition, source: String, value: Double?)]) -> ConditionVerdict {
        var verdict = ConditionVerdict(quality: nil, unreadable: false)
        for check in checks {
            guard let v = check.value else {
                verdict.unreadable = true
                continue
            }
            guard check.condition.test.holds(v) else { continue }
            switch check.condition.effect {
            case .absent:
                verdict.quality = .absent
            case .bad(let reason):
                if verdict.quality == nil {
                    verdict.quality = .bad(reason: "\(reason) (\(check.source) = \(NumberText.plain(v)))")
                }
            }
        }
        return verdict
    }

    /// The quality of a decoded value given this verdict: its own quality, or `uncertain` when a
    /// condition could not be read and the value was good.
    public func qualify(_ quality: Quality) -> Quality {
        unreadable && quality == .good ? .uncertain : quality
    }
}

/// The valid range of an engineering value (`range: [min, max]`, from the datasheet): a value
/// outside it is `bad("out of range: V not in min…max")`, never a good reading.
public struct ValidRange: Hashable, Sendable, CustomStringConvertible {
    /// Lowest valid value.
    public let min: Double
    /// Highest valid value.
    public let max: Double

    /// Creates a range; `min ≤ max`, both finite.
    public init(min: Double, max: Double) {
        precondition(min <= max && min.isFinite && max.isFinite, "a range is min ≤ max, finite")
        self.min = min
        self.max = max
    }

    /// The range from a profile's `range: [min, max]`, or why it is not one.
    static func parse(_ bounds: [Double]) -> Result<ValidRange, ConditionProblem> {
        guard bounds.count == 2, bounds.allSatisfy(\.isFinite), bounds[0] <= bounds[1] else {
            return .failure(ConditionProblem("must be [min, max] with finite min ≤ max (got [\(bounds.map(NumberText.plain).joined(separator: ", "))])"))
        }
        return .success(ValidRange(min: bounds[0], max: bounds[1]))
    }

    /// The bad quality of `value` when it is outside the range, nil when inside.
    public func violation(_ value: Double) -> Quality? {
        value >= min && value <= max ? nil : .bad(reason: "out of range: \(NumberText.plain(value)) not in \(self)")
    }

    /// `0…100`.
    public var description: String { "\(NumberText.plain(min))…\(NumberText.plain(max))" }
}

/// Numbers in reasons as a person writes them: `-1`, `32767`, `100.5`.
enum NumberText {
    static func plain(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// The bad reason of a raw sentinel (`bad` in Modbus profiles, `bad_when` in SNMP ones):
    /// `raw 32767: over range`.
    static func sentinel(raw: Double, meaning: String) -> String { "raw \(plain(raw)): \(meaning)" }
}

/// A key written as one map or as a list of maps (`absent_if: {…}` or `absent_if: [{…}, {…}]`),
/// encoded back the way it was written (the config loader finds unknown keys by a decode/encode
/// round trip).
struct OneOrMany<Element: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    var items: [Element]
    var writtenAsList: Bool

    init(_ items: [Element]) {
        self.items = items
        writtenAsList = items.count != 1
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        do {
            items = try c.decode([Element].self)
            writtenAsList = true
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count == decoder.codingPath.count {
            items = [try c.decode(Element.self)]
            writtenAsList = false
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if writtenAsList || items.count != 1 { try c.encode(items) } else { try c.encode(items[0]) }
    }
}
