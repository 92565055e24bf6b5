/// The result of converting one NetBox device-type file.
public enum NetBoxImportOutcome: Hashable, Sendable {
    /// Imported; `notes` list every value that was normalised or defaulted.
    case imported(DeviceType, notes: [String])
    /// Skipped; every reason is listed.
    case skipped(reasons: [String])

    /// The device type, when imported.
    public var deviceType: DeviceType? {
        if case .imported(let t, _) = self { return t }
        return nil
    }

    /// The reasons, when skipped; empty otherwise.
    public var reasons: [String] {
        if case .skipped(let r) = self { return r }
        return []
    }
}

/// Converts NetBox community device-type files into ``DeviceType``: weights in kg, g, lb and
/// oz normalised to kg; `u_height` 0, 0.5 and `2.0` accepted (absent means 1); absent
/// `is_full_depth` means true; `null` or `''` draws mean unknown. Anything else that breaks
/// the schema skips the file with every reason, never a crash.
public enum NetBoxImport {
    /// Kilograms per unit of NetBox `weight_unit`.
    public static let kilogramsPerUnit: [String: Double] = ["kg": 1, "g": 0.001, "lb": 0.453_592_37, "oz": 0.028_349_523_125]

    /// Converts one decoded file.
    public static func convert(_ raw: NetBoxDeviceTypeRaw) -> NetBoxImportOutcome {
        var reasons: [String] = []
        var notes: [String] = []

        func requiredText(_ v: LenientScalar?, _ key: String) -> String {
            guard let v, !v.isEmpty else {
                reasons.append("\(key) is missing")
                return ""
            }
            switch v {
            case .string(let s): return s
            case .number: return v.description
            default:
                reasons.append("\(key) \(v) is not text")
                return ""
            }
        }
        let manufacturer = requiredText(raw.manufacturer, "manufacturer")
        let model = requiredText(raw.model, "model")
        let slug = requiredText(raw.slug, "slug")
        if !slug.isEmpty, !slug.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) {
            reasons.append("slug '\(slug)' has characters other than a–z, 0–9, '-' and '_'")
        }

        var height = HalfU(units: 1)
        switch raw.u_height {
        case nil, .null?:
            notes.append("u_height absent: 1 U (NetBox default)")
        case .number(let u)?:
            if let h = HalfU(exactly: u), h.halves >= 0 {
                height = h
            } else {
                reasons.append("u_height \(u) is not a non-negative multiple of 0.5")
            }
        case let v?:
            reasons.append("u_height \(v) is not a number")
        }

        var fullDepth = true
        switch raw.is_full_depth {
        case nil, .null?: notes.append("is_full_depth absent: full depth (NetBox default)")
        case .bool(let b)?: fullDepth = b
        case let v?: reasons.append("is_full_depth \(v) is not true or false")
        }

        var airflow: Airflow?
        if let v = raw.airflow, !v.isEmpty {
            if let s = v.text, let a = Airflow(rawValue: s) { airflow = a } else { reasons.append("airflow \(v) is not one of \(Airflow.allCases.map(\.rawValue).joined(separator: ", "))") }
        }

        var weightKg: Double?
        if let w = raw.weight, !w.isEmpty {
            let unit = raw.weight_unit?.text ?? ""
            if case .number(let value) = w {
                if value < 0 {
                    reasons.append("weight \(w) is negative")
                } else if let factor = kilogramsPerUnit[unit] {
                    weightKg = value * factor
                    if unit != "kg" { notes.append("weight \(w) \(unit) → \(FitCheck.fmt(value * factor)) kg") }
                } else if unit.isEmpty {
                    reasons.append("weight \(w) has no weight_unit")
                } else {
                    reasons.append("weight_unit '\(unit)' is not kg, g, lb or oz")
                }
            } else {
                reasons.append("weight \(w) is not a number")
            }
        }

        var ports: [PortTemplate] = []
        func add(_ list: [NetBoxPortRaw]?, _ kind: PortKind, _ key: String) {
            for (i, p) in (list ?? []).enumerated() {
                guard let name = p.name, !name.isEmpty else {
                    reasons.append("\(key)[\(i)] has no name")
                    continue
                }
                let n = name.text ?? name.description
                var maxW: Double?
                var allocW: Double?
                if kind == .powerPort {
                    maxW = draw(p.maximum_draw, "\(key) '\(n)' maximum_draw", &reasons, &notes)
                    allocW = draw(p.allocated_draw, "\(key) '\(n)' allocated_draw", &reasons, &notes)
                }
                ports.append(PortTemplate(name: n, kind: kind, type: p.type?.text.flatMap { $0.isEmpty ? nil : $0 }, maximumDrawW: maxW, allocatedDrawW: allocW))
            }
        }
        add(raw.interfaces, .interface, "interfaces")
        add(raw.frontPorts, .frontPort, "front-ports")
        add(raw.rearPorts, .rearPort, "rear-ports")
        add(raw.consolePorts, .console, "console-ports")
        add(raw.powerPorts, .powerPort, "power-ports")
        add(raw.powerOutlets, .powerOutlet, "power-outlets")
        for kind in PortKind.allCases {
            var seen: Set<String> = []
            for p in ports where p.kind == kind && !seen.insert(p.name).inserted {
                reasons.append("\(kind.rawValue) '\(p.name)' is defined twice")
            }
        }

        guard reasons.isEmpty else { return .skipped(reasons: reasons) }
        let partNumber = raw.part_number.flatMap { $0.isEmpty ? nil : ($0.text ?? $0.description) }
        let type = DeviceType(
            slug: slug, manufacturer: manufacturer, model: model, partNumber: partNumber, height: height,
            isFullDepth: fullDepth, airflow: airflow, weightKg: weightKg, ports: ports)
        return .imported(type, notes: notes)
    }

    static func draw(_ v: LenientScalar?, _ what: String, _ reasons: inout [String], _ notes: inout [String]) -> Double? {
        guard let v else { return nil }
        switch v {
        case .null, .string(""):
            notes.append("\(what) \(v): unknown")
            return nil
        case .number(let w) where w >= 0:
            return w
        default:
            reasons.append("\(what) \(v) is not a non-negative number of watts")
            return nil
        }
    }
}
