extension FloorPlanRenderer {
    /// Every word the floor plan draws, English by default. Templates fill `{name}`
    /// placeholders; a placeholder a translation leaves out is simply not shown. Decoding
    /// (from a page's translation file) takes English for any key that is missing.
    public struct Labels: Hashable, Sendable, Codable {
        /// Heading: `{room}` name, `{id}` room id, `{metric}`.
        public var title = "{room} ({id}) — racks by {metric}"
        /// The `<title>` and `aria-label` of the drawing: `{id}` room id, `{room}` name.
        public var documentTitle = "Floor plan {id}"
        /// Legend heading: `{metric}`, `{unit}`.
        public var legendHeading = "{metric} ({unit})"
        /// Legend key and tooltip of a rack without trustworthy data.
        public var noData = "no data"
        /// Legend key and tooltip of a rack with an open alarm.
        public var alarm = "alarm"
        /// A cold aisle.
        public var coldAisle = "cold aisle"
        /// A hot aisle.
        public var hotAisle = "hot aisle"
        /// An aisle with doors and roof: `{aisle}` is the aisle's label.
        public var contained = "{aisle} (contained)"
        /// Legend key of a sensor kind: `{kind}` from ``sensorKinds`` or the kind's code.
        public var sensor = "sensor: {kind}"
        /// Names of sensor kinds by code (`th-probe`); a kind not listed shows its code.
        public var sensorKinds: [String: String] = [:]
        /// How the rack front is marked.
        public var rackFront = "thick edge = rack front"
        /// Tooltip of a rack: `{rack}` id, `{value}` value with unit or ``noData``.
        public var rackTooltip = "{rack}: {value}"
        /// Legend text of the thermal layer (wrapped to the legend's width).
        public var thermalNote = "colours between probes are interpolated (inverse-distance); ringed dots are measured"
        /// Tooltip of a thermal probe: `{probe}` id, `{value}` value with unit.
        public var probeTooltip = "{probe}: {value} (measured)"

        /// English labels.
        public init() {}

        /// English labels; a translation overrides what it knows.
        public static let english = Labels()

        /// Decodes labels; any key left out keeps its English text.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let en = Labels()
            title = try c.decode(.title, or: en.title)
            documentTitle = try c.decode(.documentTitle, or: en.documentTitle)
            legendHeading = try c.decode(.legendHeading, or: en.legendHeading)
            noData = try c.decode(.noData, or: en.noData)
            alarm = try c.decode(.alarm, or: en.alarm)
            coldAisle = try c.decode(.coldAisle, or: en.coldAisle)
            hotAisle = try c.decode(.hotAisle, or: en.hotAisle)
            contained = try c.decode(.contained, or: en.contained)
            sensor = try c.decode(.sensor, or: en.sensor)
            sensorKinds = try c.decode(.sensorKinds, or: en.sensorKinds)
            rackFront = try c.decode(.rackFront, or: en.rackFront)
            rackTooltip = try c.decode(.rackTooltip, or: en.rackTooltip)
            thermalNote = try c.decode(.thermalNote, or: en.thermalNote)
            probeTooltip = try c.decode(.probeTooltip, or: en.probeTooltip)
        }

        /// The name of a sensor kind.
        public func name(of kind: SensorKind) -> String { sensorKinds[kind.rawValue] ?? kind.rawValue }

        /// The label of an aisle kind.
        public func name(of kind: AisleKind) -> String { kind == .cold ? coldAisle : hotAisle }
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or `fallback` when the key is absent (labels default to English).
    func decode<T: Decodable>(_ key: Key, or fallback: T) throws -> T { try decodeIfPresent(T.self, forKey: key) ?? fallback }
}
