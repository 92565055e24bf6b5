/// SplitMix64: a small deterministic generator for property tests and fuzzing, so that a
/// failing case replays from the seed printed with it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's state.
    public var state: UInt64

    /// Starts from `state`.
    public init(state: UInt64) { self.state = state }

    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n (0 when n < 1).
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
}
