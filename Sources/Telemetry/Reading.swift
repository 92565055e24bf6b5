/// How far a reading can be trusted (DESIGN decision 2).
public enum Quality: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The device answered and the value decoded within range.
    case good
    /// A value exists but is doubtful (device reports a warning, value clamped, sensor warming up).
    case uncertain
    /// No usable value: the reason says why (timeout, exception code, wrong type, …).
    case bad(reason: String)
    /// The vendor's "not present" sentinel: the probe is not fitted. Never stored as a value.
    case absent

    /// True for `.good` and `.uncertain`: a value worth storing and evaluating.
    public var hasValue: Bool {
        switch self {
        case .good, .uncertain: true
        case .bad, .absent: false
        }
    }

    /// A short code: `good`, `uncertain`, `bad`, `absent`.
    public var code: String {
        switch self {
        case .good: "good"
        case .uncertain: "uncertain"
        case .bad: "bad"
        case .absent: "absent"
        }
    }

    /// The reason of a bad reading, nil otherwise.
    public var reason: String? {
        if case .bad(let r) = self { return r }
        return nil
    }

    /// Rebuilds a quality from its code and optional reason, as the store keeps them.
    public init?(code: String, reason: String?) {
        switch code {
        case "good": self = .good
        case "uncertain": self = .uncertain
        case "bad": self = .bad(reason: reason ?? "unknown")
        case "absent": self = .absent
        default: return nil
        }
    }

    public var description: String {
        if case .bad(let r) = self { return "bad(\(r))" }
        return code
    }
}

/// One sample of one point: (point id, time, value, quality). DESIGN decision 2.
///
/// `value` is meaningful only when `quality.hasValue`; for `.bad` and `.absent` it is NaN.
public struct Reading: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The point this sample belongs to.
    public var point: PointID
    /// When the value was measured (the device's own time when it reports one).
    public var time: Timestamp
    /// The engineering value, or a discrete state's number.
    public var value: Double
    /// How far the value can be trusted.
    public var quality: Quality

    /// Creates a reading; bad and absent readings carry NaN whatever value is passed.
    public init(point: PointID, time: Timestamp, value: Double, quality: Quality = .good) {
        self.point = point
        self.time = time
        self.value = quality.hasValue ? value : .nan
        self.quality = quality
    }

    /// A reading without a value: bad with a reason, or absent.
    public static func missing(_ point: PointID, at time: Timestamp, _ quality: Quality) -> Reading {
        Reading(point: point, time: time, value: .nan, quality: quality)
    }

    /// True when the value is usable for rules: quality has a value and the number is finite.
    public var isUsable: Bool { quality.hasValue && value.isFinite }

    public var description: String {
        quality.hasValue ? "\(point)@\(time)=\(value) [\(quality)]" : "\(point)@\(time) [\(quality)]"
    }

    public static func == (a: Reading, b: Reading) -> Bool {
        a.point == b.point && a.time == b.time && a.quality == b.quality
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }

    public func hash(into h: inout Hasher) {
        h.combine(point)
        h.combine(time)
        h.combine(quality)
        if !value.isNaN { h.combine(value) }
    }
}
