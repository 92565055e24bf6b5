import Telemetry

extension PointID {
    /// Orders by CI id, then point name, without building strings (`<` compares descriptions).
    static func byParts(_ a: PointID, _ b: PointID) -> Bool {
        a.ci.rawValue != b.ci.rawValue ? a.ci.rawValue < b.ci.rawValue : a.name < b.name
    }
}
