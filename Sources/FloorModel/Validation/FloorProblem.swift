/// One problem found in a floor: which object, which field, what is wrong.
/// Validation returns every problem it finds; it never stops at the first.
public struct FloorProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The vocabulary of problems; tests and the UI match on it, people read `message`.
    public enum Code: String, Hashable, Sendable, Codable, CaseIterable {
        case duplicateID = "duplicate-id"
        case unknownReference = "unknown-reference"
        case invalidValue = "invalid-value"
        case unknownEnumValue = "unknown-enum-value"
        case uOverlap = "u-overlap"
        case outsideRack = "outside-rack"
        case halfUPosition = "half-u-position"
        case zeroUPosition = "zero-u-position"
        case missingPosition = "missing-position"
        case overWeight = "over-weight"
        case overPowerBudget = "over-power-budget"
        case overCoolingBudget = "over-cooling-budget"
        case overPDURating = "over-pdu-rating"
        case overFeedCapacity = "over-feed-capacity"
        case exhaustIntoColdAisle = "exhaust-into-cold-aisle"
        case tileTaken = "tile-taken"
        case outsideRoom = "outside-room"
        case wrongRack = "wrong-rack"
        case portInUse = "port-in-use"
        case feedSideMismatch = "feed-side-mismatch"
    }

    /// The CI id (or document path when the object has no valid id) the problem is about.
    public var object: String
    /// The field that is wrong (`position`, `rack`, `weight_kg`).
    public var field: String
    /// What kind of problem.
    public var code: Code
    /// A sentence for a person.
    public var message: String

    /// Creates a problem.
    public init(object: String, field: String, code: Code, message: String) {
        self.object = object
        self.field = field
        self.code = code
        self.message = message
    }

    /// `DC-R05-SRV01.position: [u-overlap] …`.
    public var description: String { "\(object).\(field): [\(code.rawValue)] \(message)" }
}
