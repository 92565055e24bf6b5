public import Telemetry

/// Turns the outcome of every request of one poll into readings: a pure function, so the
/// mapping of values, sentinels and failures to quality is tested without a device.
public enum ReadingAssembler {
    /// The readings of one poll. `outcomes[i]` belongs to `plan.requests[i]`. Readings are stamped
    /// with the device's own sample time when the profile names one and it was read, else `now`.
    /// Text points produce no reading (readings carry numbers); their values are returned apart.
    public static func readings(
        plan: ModbusDevicePlan, outcomes: [Result<[UInt16], RequestFailure>], now: Timestamp
    ) -> (readings: [Reading], texts: [String: String]) {
        precondition(outcomes.count == plan.requests.count, "one outcome per request")
        var decoded = [Result<DecodedValue, RequestFailure>?](repeating: nil, count: plan.points.count)
        for (request, outcome) in zip(plan.requests, outcomes) {
            for i in request.fields {
                decoded[i] = outcome.map { ValueDecoder.decode(plan.points[i], units: $0, start: request.start) }
            }
        }
        var time = now
        if let t = plan.recordTimePoint, case .success(.number(let seconds))? = decoded[t], seconds > 0, seconds < 1e11 {
            time = Timestamp(seconds: Int64(seconds))
        }
        var readings: [Reading] = []
        var texts: [String: String] = [:]
        for (i, point) in plan.points.enumerated() {
            let id = point.descriptor.id
            let verdict = ConditionVerdict.evaluate(
                point.conditions.map { c in (c.condition, plan.points[c.point].descriptor.id.name, number(decoded[c.point])) })
            if let q = verdict.quality, point.type.isNumber {
                readings.append(.missing(id, at: time, q))
                continue
            }
            switch decoded[i] {
            case .success(.number(let v))?:
                if let outside = point.range?.violation(v) {
                    readings.append(.missing(id, at: time, outside))
                } else {
                    readings.append(Reading(point: id, time: time, value: v, quality: verdict.qualify(quality(of: point, decoded))))
                }
            case .success(.absent)?: readings.append(.missing(id, at: time, .absent))
            case .success(.notFinite)?: readings.append(.missing(id, at: time, .bad(reason: "value is not a number")))
            case .success(.sentinel(let raw, let meaning))?:
                readings.append(.missing(id, at: time, .bad(reason: NumberText.sentinel(raw: raw, meaning: meaning))))
            case .success(.text(let s))?: texts[id.name] = s
            case .failure(let f)?: readings.append(.missing(id, at: time, .bad(reason: f.qualityReason)))
            case nil: readings.append(.missing(id, at: time, .bad(reason: "not planned")))
            }
        }
        return (readings, texts)
    }

    /// The value of a point that decoded to a number, nil otherwise (failed, absent, bad, text).
    private static func number(_ d: Result<DecodedValue, RequestFailure>?) -> Double? {
        if case .success(.number(let v))? = d { v } else { nil }
    }

    /// Good, unless a qualifying status point is set (non-zero) or could not be read.
    private static func quality(of point: ModbusPointPlan, _ decoded: [Result<DecodedValue, RequestFailure>?]) -> Quality {
        for q in point.qualifiers {
            guard case .success(.number(let flag))? = decoded[q] else { return .uncertain }
            if flag != 0 { return .uncertain }
        }
        return .good
    }
}
