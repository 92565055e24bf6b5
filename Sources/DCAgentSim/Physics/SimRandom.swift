import Foundation

/// A small seeded generator (SplitMix64) so a run can be repeated with `--seed`.
struct SimRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator for `seed`, mixed with a stable hash of `stream` (a sensor or rack id).
    init(seed: UInt64, stream: String = "") {
        state = seed ^ Self.stableHash(stream)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// A uniform sample in `range`.
    mutating func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &self) }

    /// FNV-1a: stable across runs, unlike `Hasher`.
    static func stableHash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }
}

/// A mean-reverting random walk (Ornstein–Uhlenbeck): slow, bounded drift around zero.
struct Drift: Sendable {
    /// Long-run standard deviation.
    let sigma: Double
    /// Time constant of the reversion, seconds.
    let tau: Double
    /// Current deviation.
    private(set) var value: Double = 0

    init(sigma: Double, tau: Double, start: Double = 0) {
        self.sigma = sigma
        self.tau = tau
        self.value = start
    }

    /// Advances by `dt` seconds and returns the new deviation (exact discretisation).
    mutating func step(_ dt: Double, _ rng: inout SimRandom) -> Double {
        let k = exp(-dt / tau)
        value = value * k + sigma * (1 - k * k).squareRoot() * rng.gaussian()
        return value
    }
}

/// A first-order lag: approaches its target with time constant `tau` (thermal inertia).
struct Lag: Sendable {
    let tau: Double
    private(set) var value: Double = 0

    /// Moves toward `target` over `dt` seconds and returns the new value.
    mutating func step(toward target: Double, _ dt: Double) -> Double {
        value += (target - value) * (1 - exp(-dt / tau))
        return value
    }
}
