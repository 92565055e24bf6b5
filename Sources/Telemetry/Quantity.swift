/// What a point measures. Closed vocabulary: config spellings are the raw values.
public enum Quantity: String, Hashable, Sendable, Codable, CaseIterable {
    case temperature, relativeHumidity = "relative_humidity", dewPoint = "dew_point"
    case activePower = "active_power", apparentPower = "apparent_power", powerFactor = "power_factor"
    case energy, current, voltage, frequency
    /// Cumulative particle count of a channel (≥ size).
    case particleCount = "particle_count"
    /// Particles per m³ (≥ size).
    case particleConcentration = "particle_concentration"
    /// Volume of air a particle-counter sample drew.
    case sampleVolume = "sample_volume"
    /// Cumulative corrosion film thickness on a metal (Å).
    case corrosionThickness = "corrosion_thickness"
    /// Corrosion rate normalised to 30 days (Å/30 d).
    case corrosionRate = "corrosion_rate"
    case airflow, pressure, duration
    /// A numbered discrete state with a name map (door, leak, UPS on battery, load state).
    case state
    /// A bit field of status flags.
    case status
    /// A derived class number (ASHRAE class, ISO class, ISA-71.04 level).
    case classification
    /// Seconds since the epoch reported by a device (its sample time).
    case timestamp
    case text
}

/// Units of engineering values. Config spellings are the raw values.
public enum Unit: String, Hashable, Sendable, Codable, CaseIterable {
    case celsius = "°C"
    case percentRH = "%RH"
    case percent = "%"
    case watt = "W"
    case kilowatt = "kW"
    case voltAmpere = "VA"
    case kiloVoltAmpere = "kVA"
    case kilowattHour = "kWh"
    case ampere = "A"
    case volt = "V"
    case hertz = "Hz"
    case count
    case perCubicMetre = "/m³"
    case cubicMetre = "m³"
    case litre = "L"
    case litrePerMinute = "L/min"
    case angstrom = "Å"
    case angstromPer30Days = "Å/30d"
    case second = "s"
    case pascal = "Pa"
    case none = ""

    /// Accepts ASCII spellings too (`degC`, `C`, `%rh`, `m3`, `A`, `angstrom`).
    public init?(spelling: String) {
        if let u = Unit(rawValue: spelling) {
            self = u
            return
        }
        switch spelling.lowercased() {
        case "degc", "c", "celsius": self = .celsius
        case "%rh", "rh", "percent_rh": self = .percentRH
        case "percent": self = .percent
        case "w", "watt": self = .watt
        case "kw", "kilowatt": self = .kilowatt
        case "va": self = .voltAmpere
        case "kva": self = .kiloVoltAmpere
        case "kwh": self = .kilowattHour
        case "a", "amp", "ampere": self = .ampere
        case "v", "volt": self = .volt
        case "hz": self = .hertz
        case "/m3", "per_m3": self = .perCubicMetre
        case "m3": self = .cubicMetre
        case "l", "litre", "liter": self = .litre
        case "l/min", "lpm": self = .litrePerMinute
        case "angstrom", "a°", "aa": self = .angstrom
        case "angstrom/30d": self = .angstromPer30Days
        case "s", "sec", "seconds": self = .second
        case "pa": self = .pascal
        case "none": self = .none
        default: return nil
        }
    }
}
