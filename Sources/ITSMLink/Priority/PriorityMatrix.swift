/// The impact × urgency → priority lookup of ITIL incident management (decree Lampiran II
/// F.1.b.1): rows are impact 1 (high) … 3 (low), columns urgency 1 (high) … 3 (low), each cell
/// a priority 1 (highest) … 5 (lowest).
///
/// The convention is ITIL's, as ServiceNow ships it: an incident's priority is looked up from
/// its impact and urgency, both 1 High / 2 Medium / 3 Low, in "priority lookup rules" an
/// administrator may change (ServiceNow docs, Incident Management › Define priority lookup
/// rules, and Problem Management › Data lookup for prioritizing problems:
/// https://www.servicenow.com/docs/r/it-service-management/incident-management/def-prio-lookup-rules.html).
/// ServiceNow's default table gives 1 – Critical for high × high, one step lower for each step
/// of either, down to 5 – Planning for low × low. ``itil``, DCAgent's default, is that table
/// with low × low at P4, so a floor alarm spans P1…P4 (P5, "planning", is left to work that is
/// not an alarm); any cell may be set to 1…5 in `itsm.priority.matrix`.
public struct PriorityMatrix: Hashable, Sendable, CustomStringConvertible {
    /// Impact and urgency levels: 1 (high), 2 (medium), 3 (low).
    public static let levels = 1...3
    /// Priorities a cell may hold: 1 (highest) … 5 (lowest), ServiceNow's scale.
    public static let priorities = 1...5

    /// The default, ITIL-style: `[[1, 2, 3], [2, 3, 4], [3, 4, 4]]`.
    public static let itil = PriorityMatrix(unchecked: [[1, 2, 3], [2, 3, 4], [3, 4, 4]])

    /// The cells, `cells[impact - 1][urgency - 1]`.
    public let cells: [[Int]]

    /// A matrix from its cells; nil unless they are 3 × 3 priorities 1…5 that never rise as
    /// impact or urgency falls (``problems(_:)`` says why).
    public init?(_ cells: [[Int]]) {
        guard Self.problems(cells).isEmpty else { return nil }
        self.cells = cells
    }

    private init(unchecked cells: [[Int]]) { self.cells = cells }

    /// The priority of an impact and an urgency level (each clamped into 1…3).
    public func priority(impact: Int, urgency: Int) -> Int {
        cells[Self.clamp(impact) - 1][Self.clamp(urgency) - 1]
    }

    /// `[[1, 2, 3], [2, 3, 4], [3, 4, 4]]`.
    public var description: String { "\(cells)" }

    /// Every problem of a would-be matrix, each with the index path it is about (`""` for the
    /// whole matrix, `[1]` for a row, `[1][2]` for a cell; indexes from 0, as config paths count)
    /// and a reason for a person.
    public static func problems(_ cells: [[Int]]) -> [(index: String, reason: String)] {
        let n = levels.count
        var out: [(String, String)] = []
        if cells.count != n {
            out.append(("", "needs \(n) rows, impact 1 (high) … \(n) (low), each of \(n) cells, urgency 1 (high) … \(n) (low); it has \(cells.count)"))
        }
        for (i, row) in cells.enumerated() where row.count != n {
            out.append(("[\(i)]", "needs \(n) cells, urgency 1 (high) … \(n) (low); it has \(row.count)"))
        }
        for (i, row) in cells.enumerated() {
            for (j, p) in row.enumerated() where !priorities.contains(p) {
                out.append(("[\(i)][\(j)]", "\(p) is not a priority \(priorities.lowerBound)…\(priorities.upperBound)"))
            }
        }
        guard out.isEmpty else { return out }
        // A cell may not be more urgent than the cell above it (higher impact) or to its left
        // (higher urgency): that would be a matrix written upside down.
        for i in 0..<n {
            for j in 0..<n {
                let p = cells[i][j]
                if i > 0, p < cells[i - 1][j] {
                    out.append(
                        ("[\(i)][\(j)]", "P\(p) for impact \(i + 1) × urgency \(j + 1) is higher than P\(cells[i - 1][j]) for impact \(i) × urgency \(j + 1); priority must not rise as impact falls (rows go impact 1 high … 3 low)"))
                }
                if j > 0, p < cells[i][j - 1] {
                    out.append(
                        ("[\(i)][\(j)]", "P\(p) for impact \(i + 1) × urgency \(j + 1) is higher than P\(cells[i][j - 1]) for impact \(i + 1) × urgency \(j); priority must not rise as urgency falls (columns go urgency 1 high … 3 low)"))
                }
            }
        }
        return out
    }

    /// A level clamped into 1…3.
    static func clamp(_ level: Int) -> Int { min(max(level, levels.lowerBound), levels.upperBound) }

    /// `high`, `medium` or `low`.
    public static func levelName(_ level: Int) -> String {
        switch clamp(level) {
        case 1: "high"
        case 2: "medium"
        default: "low"
        }
    }
}
