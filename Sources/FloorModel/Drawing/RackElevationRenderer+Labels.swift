extension RackElevationRenderer {
    /// Every word the rack elevation draws, English by default. Templates fill `{name}`
    /// placeholders. Decoding (from a page's translation file) takes English for any key that
    /// is missing. Units (U, kW, kg) are symbols and are not translated.
    public struct Labels: Hashable, Sendable, Codable {
        /// Heading: `{rack}`, `{height}` (units), `{room}`, `{tile}`, `{facing}` (a direction
        /// from ``directions``).
        public var title = "Rack {rack} — {height}U, {room} {tile}, front faces {facing}"
        /// The `<title>` and `aria-label` of the drawing: `{rack}`.
        public var documentTitle = "Rack elevation {rack}"
        /// Names of compass directions by code (`south`); a direction not listed shows its code.
        public var directions: [String: String] = [:]
        /// Heading of the front view.
        public var front = "Front"
        /// Heading of the rear view.
        public var rear = "Rear"
        /// Heading of the side bar.
        public var utilisation = "Utilisation"
        /// Space bar name.
        public var space = "Space"
        /// Power bar name.
        public var power = "Power"
        /// Weight bar name.
        public var weight = "Weight"
        /// A bar with a limit: `{name}`, `{value}`, `{limit}`, `{unit}`, `{percent}`.
        public var barWithLimit = "{name}: {value} of {limit} {unit} ({percent} %)"
        /// A bar without a limit: `{name}`, `{value}`, `{unit}`.
        public var barWithoutLimit = "{name}: {value} {unit} (no limit recorded)"
        /// Heading of the lifecycle legend.
        public var status = "Status"
        /// Names of lifecycle states by code (`active`); a state not listed shows its code.
        public var lifecycles: [String: String] = [:]
        /// Legend key of a free unit.
        public var free = "free"
        /// Heading of the 0U list.
        public var zeroUHeading = "0U"
        /// A 0U device: `{name}`.
        public var zeroU = "{name} (0U)"
        /// A vertical PDU: `{name}`, `{side}` (A or B).
        public var zeroUSide = "{name} (0U, side {side})"
        /// Tooltip of a device: `{name}`, `{id}`, `{span}`, `{status}`.
        public var deviceTooltip = "{name} ({id}), {span}, {status}"

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
            directions = try c.decode(.directions, or: en.directions)
            front = try c.decode(.front, or: en.front)
            rear = try c.decode(.rear, or: en.rear)
            utilisation = try c.decode(.utilisation, or: en.utilisation)
            space = try c.decode(.space, or: en.space)
            power = try c.decode(.power, or: en.power)
            weight = try c.decode(.weight, or: en.weight)
            barWithLimit = try c.decode(.barWithLimit, or: en.barWithLimit)
            barWithoutLimit = try c.decode(.barWithoutLimit, or: en.barWithoutLimit)
            status = try c.decode(.status, or: en.status)
            lifecycles = try c.decode(.lifecycles, or: en.lifecycles)
            free = try c.decode(.free, or: en.free)
            zeroUHeading = try c.decode(.zeroUHeading, or: en.zeroUHeading)
            zeroU = try c.decode(.zeroU, or: en.zeroU)
            zeroUSide = try c.decode(.zeroUSide, or: en.zeroUSide)
            deviceTooltip = try c.decode(.deviceTooltip, or: en.deviceTooltip)
        }

        /// The name of a lifecycle state.
        public func name(of l: Lifecycle) -> String { lifecycles[l.rawValue] ?? l.rawValue }

        /// The name of a direction.
        public func name(of d: Direction) -> String { directions[d.rawValue] ?? d.rawValue }

        /// The text of a 0U entry.
        public func text(of z: RackElevation.ZeroUItem) -> String {
            z.side.map { expand(zeroUSide, ["name": z.label, "side": $0.rawValue]) } ?? expand(zeroU, ["name": z.label])
        }
    }
}
