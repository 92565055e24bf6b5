/// A failure of one class of `Class` with its detail for a person, which is its description:
/// the shape of the drivers' `ReplyFault` and `RequestFailure` and of the store's `StoreError`.
public struct CodedFailure<Class: Hashable & Sendable>: Error, Hashable, Sendable, CustomStringConvertible {
    /// The vocabulary of failure classes (`RequestFailure.Code`).
    public typealias Code = Class

    /// The failure class.
    public let code: Code
    /// The reason or the numbers behind it, for a person (and for a reading's quality).
    public let detail: String

    /// Creates a failure.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }
}

