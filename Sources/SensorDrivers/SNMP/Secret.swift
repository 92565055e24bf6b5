/// A secret value (community string, v3 pass phrase) that never prints: `description` is `<secret>`.
public struct Secret: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    ExpressibleByStringLiteral
{
    /// The secret text; read it only to hand it to the library that needs it.
    public let reveal: String

    /// Wraps a secret.
    public init(_ value: String) { self.reveal = value }

    /// Wraps a literal secret (tests and examples).
    public init(stringLiteral value: String) { self.reveal = value }

    /// Always `<secret>`.
    public var description: String { "<secret>" }
    /// Always `<secret>`.
    public var debugDescription: String { "<secret>" }
}
