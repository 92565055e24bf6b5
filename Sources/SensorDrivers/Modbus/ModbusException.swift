/// A Modbus exception code a device answers with (spec §7).
public enum ModbusException: Hashable, Sendable, CustomStringConvertible {
    case illegalFunction, illegalAddress, illegalValue, deviceFailure, acknowledge, deviceBusy
    case negativeAcknowledge, memoryParityError, gatewayPathUnavailable, gatewayTargetFailedToRespond
    /// A code the spec does not define.
    case other(UInt8)

    /// Maps a wire code.
    public init(code: UInt8) {
        switch code {
        case 0x01: self = .illegalFunction
        case 0x02: self = .illegalAddress
        case 0x03: self = .illegalValue
        case 0x04: self = .deviceFailure
        case 0x05: self = .acknowledge
        case 0x06: self = .deviceBusy
        case 0x07: self = .negativeAcknowledge
        case 0x08: self = .memoryParityError
        case 0x0A: self = .gatewayPathUnavailable
        case 0x0B: self = .gatewayTargetFailedToRespond
        default: self = .other(code)
        }
    }

    /// The wire code.
    public var code: UInt8 {
        switch self {
        case .illegalFunction: 0x01
        case .illegalAddress: 0x02
        case .illegalValue: 0x03
        case .deviceFailure: 0x04
        case .acknowledge: 0x05
        case .deviceBusy: 0x06
        case .negativeAcknowledge: 0x07
        case .memoryParityError: 0x08
        case .gatewayPathUnavailable: 0x0A
        case .gatewayTargetFailedToRespond: 0x0B
        case .other(let c): c
        }
    }

    /// True when the request itself is wrong for this device (a profile or configuration problem,
    /// reported once per point rather than retried).
    public var isConfigurationProblem: Bool {
        switch self {
        case .illegalFunction, .illegalAddress, .illegalValue: true
        default: false
        }
    }

    /// True when asking again later may succeed (busy, acknowledge = still processing).
    public var isTransient: Bool { self == .deviceBusy || self == .acknowledge }

    public var description: String {
        switch self {
        case .illegalFunction: "illegal function (01)"
        case .illegalAddress: "illegal data address (02)"
        case .illegalValue: "illegal data value (03)"
        case .deviceFailure: "device failure (04)"
        case .acknowledge: "acknowledge (05)"
        case .deviceBusy: "device busy (06)"
        case .negativeAcknowledge: "negative acknowledge (07)"
        case .memoryParityError: "memory parity error (08)"
        case .gatewayPathUnavailable: "gateway path unavailable (0A)"
        case .gatewayTargetFailedToRespond: "gateway target failed to respond (0B)"
        case .other(let c): "exception code \(c)"
        }
    }
}
