public import Telemetry

/// How a profile writes Modbus addresses (DESIGN decision 11): exactly as the vendor's manual
/// writes them, with the convention stated once per profile.
public enum AddressConvention: String, Hashable, Sendable, CaseIterable, TextCodable {
    /// The written number is the protocol address (register 0 is written `0`).
    case zeroBased = "0"
    /// The written number is one more than the protocol address (register 0 is written `1`).
    case oneBased = "1"
    /// Five- or six-digit Modicon numbers whose first digit names the table:
    /// `0xxxx` coils, `1xxxx` discrete inputs, `3xxxx` input registers, `4xxxx` holding
    /// registers; `30001` is input register 0.
    case modicon

    /// Parses `0`, `1`, `modicon` (and `zero`, `one`, `984`).
    public init?(spelling: String) {
        switch normalizedSpelling(spelling) {
        case "0", "zero", "base0", "zero_based": self = .zeroBased
        case "1", "one", "base1", "one_based": self = .oneBased
        case "modicon", "984", "5_digit", "6_digit": self = .modicon
        default: return nil
        }
    }

    public init?(text: String) { self.init(spelling: text) }
    public static let textForm = "an address base (0, 1, modicon)"

    /// Also accepts the base written as a number (`address_base: 1`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        self = try Self.decodeText((try? c.decode(Int.self)).map(String.init) ?? c.decode(String.self), in: c)
    }

    /// Why a written address could not be resolved.
    public enum Problem: Error, Hashable, Sendable {
        /// Not a decimal (or `0x` hexadecimal) number.
        case syntax
        /// A number outside the convention's range (`0` under base 1, `50000` under modicon).
        case outOfRange
        /// A Modicon prefix naming another table than the point's `kind`.
        case kindMismatch(RegisterKind)
        /// No table: base 0 or 1 without a `kind`.
        case missingKind
    }

    /// Turns an address as written into a table and a 0-based protocol address.
    /// `kind` is the point's (or the profile's default) table, required except under Modicon.
    public func resolve(_ written: String, kind: RegisterKind?) -> Result<(RegisterKind, Int), Problem> {
        let text = written.trimmingSpaces()
        switch self {
        case .zeroBased, .oneBased:
            guard let n = Self.parseNumber(text) else { return .failure(.syntax) }
            guard let kind else { return .failure(.missingKind) }
            let address = self == .oneBased ? n - 1 : n
            guard (0...ModbusLimits.maxAddress).contains(address) else { return .failure(.outOfRange) }
            return .success((kind, address))
        case .modicon:
            guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let n = Int(text) else { return .failure(.syntax) }
            // 6-digit form (300001…365536) when longer than 5 digits, else 5-digit (30001…39999).
            let span = text.count > 5 ? 100_000 : 10_000
            let prefix = n / span
            let table: RegisterKind
            switch prefix {
            case 0: table = .coil
            case 1: table = .discreteInput
            case 3: table = .input
            case 4: table = .holding
            default: return .failure(.outOfRange)
            }
            let address = n % span - 1
            guard (0...ModbusLimits.maxAddress).contains(address) else { return .failure(.outOfRange) }
            if let kind, kind != table { return .failure(.kindMismatch(table)) }
            return .success((table, address))
        }
    }

    private static func parseNumber(_ text: String) -> Int? {
        if text.lowercased().hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(text)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
