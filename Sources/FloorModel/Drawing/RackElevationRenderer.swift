public import Telemetry

/// Draws a ``RackElevation`` as SVG: front and rear views side by side with U numbers,
/// devices labelled and coloured by lifecycle, free units visible, and a side bar with the
/// utilisation of space, power and weight. Every word comes from ``Labels``; devices may
/// link to their pages. Pure: model in, SVG text out.
public enum RackElevationRenderer {
    /// Pixels per rack unit.
    public static let unitHeight = 20.0
    /// Top of the highest unit.
    public static let top = 50.0
    /// Left edge of the front view's rack body.
    public static let frontX = 50.0
    /// Left edge of the rear view's rack body.
    public static let rearX = 330.0
    /// Width of a rack body.
    public static let rackWidth = 220.0
    /// Left edge of the side bar.
    public static let sideBarX = 590.0
    /// Fill of a free unit.
    public static let freeColor = RGB(hex: 0xffffff)
    /// Frame and rails.
    public static let frameColor = RGB(hex: 0x4a4a4a)
    /// Utilisation bar fill within budget, and over it.
    public static let barColor = RGB(hex: 0x4a90d9)
    /// Utilisation bar fill over budget.
    public static let overColor = RGB(hex: 0xd64545)

    /// Fill of a device in a lifecycle state.
    public static func color(for lifecycle: Lifecycle) -> RGB {
        switch lifecycle {
        case .planned: RGB(hex: 0x7fb3e6)
        case .staged: RGB(hex: 0xf2c94c)
        case .active: RGB(hex: 0x3a9d5d)
        case .decommissioning: RGB(hex: 0xf2994a)
        case .offline: RGB(hex: 0x9e9e9e)
        case .disposed: RGB(hex: 0xd9d9d9)
        }
    }

    /// The left edge of a view's rack body.
    public static func x(of face: RackFace) -> Double { face == .front ? frontX : rearX }

    /// The top y and height in pixels of a span in a rack: a 2U device at U12 of a 42U rack
    /// starts at `top + (43 − 14) × unitHeight`.
    public static func frame(of span: USpan, in rack: Rack) -> (y: Double, height: Double) {
        let rackTop = rack.span.end.halves
        return (top + Double(rackTop - span.end.halves) * unitHeight / 2, Double(span.height.halves) * unitHeight / 2)
    }

    /// The SVG of both views and the side bar, in `labels`' words, wrapped as `options` say.
    /// `link` gives the href of a device (its page); a device with one is wrapped in
    /// `<a href>` in each view it shows in. Device rectangles carry `data-ci`, `data-face`,
    /// `data-span` and `data-status` (lifecycle).
    public static func svg(_ e: RackElevation, labels: Labels = .english, options: SVGOptions = .standalone, link: (CIID) -> String? = { _ in nil }) -> String {
        let rack = e.rack
        let height = Int(top + Double(rack.heightU) * unitHeight + 60 + Double(max(0, e.zeroUItems.count - 4)) * 14)
        var w = SVGWriter(width: 880, height: max(height, 420))
        let title = expand(labels.title, [
            "rack": rack.id.rawValue, "height": String(rack.heightU), "room": rack.room.rawValue, "tile": rack.tile.description, "facing": labels.name(of: rack.facing),
        ])
        w.text(title, x: frontX, y: 22, size: 14, bold: true)
        for face in RackFace.allCases { view(e, face: face, labels: labels, link: link, into: &w) }
        sideBar(e, labels: labels, into: &w)
        return w.document(title: expand(labels.documentTitle, ["rack": rack.id.rawValue]), options: options)
    }

    static func view(_ e: RackElevation, face: RackFace, labels: Labels, link: (CIID) -> String?, into w: inout SVGWriter) {
        let rack = e.rack
        let x0 = x(of: face)
        w.text(face == .front ? labels.front : labels.rear, x: x0 + rackWidth / 2, y: top - 8, size: 12, anchor: "middle", bold: true)
        w.rect(x: x0 - 4, y: top - 4, w: rackWidth + 8, h: Double(rack.heightU) * unitHeight + 8, fill: frameColor, attrs: [("class", "frame")])
        // Free units, half by half where a unit is half taken.
        for u in rack.startingUnit..<(rack.startingUnit + rack.heightU) {
            let lo = u * 2
            let freeLo = e.isFree(half: lo, face: face)
            let freeHi = e.isFree(half: lo + 1, face: face)
            let halves: [Int] = freeLo && freeHi ? [] : [freeLo ? lo : nil, freeHi ? lo + 1 : nil].compactMap { $0 }
            if freeLo && freeHi {
                let f = frame(of: USpan(bottom: HalfU(halves: lo), height: HalfU(units: 1)), in: rack)
                w.rect(x: x0, y: f.y + 0.5, w: rackWidth, h: f.height - 1, fill: freeColor, attrs: [("class", "free"), ("data-u", String(u)), ("data-face", face.rawValue)])
            }
            for h in halves {
                let f = frame(of: USpan(bottom: HalfU(halves: h), height: HalfU(halves: 1)), in: rack)
                w.rect(x: x0, y: f.y + 0.5, w: rackWidth, h: f.height - 1, fill: freeColor, attrs: [("class", "free"), ("data-u", HalfU(halves: h).description), ("data-face", face.rawValue)])
            }
            let f = frame(of: USpan(bottom: HalfU(units: u), height: HalfU(units: 1)), in: rack)
            w.text(String(u), x: x0 - 8, y: f.y + unitHeight * 0.7, size: 9, anchor: "end", fill: RGB(hex: 0x666666))
        }
        for item in e.items where item.faces.contains(face) {
            let f = frame(of: item.span, in: rack)
            let fill = color(for: item.lifecycle)
            let tooltip = expand(labels.deviceTooltip, ["name": item.label, "id": item.id.rawValue, "span": item.span.description, "status": labels.name(of: item.lifecycle)])
            let linked = w.openLink(link(item.id), label: tooltip)
            w.openGroup([("class", "device-mark")])
            w.title(tooltip)
            w.rect(
                x: x0 + 1, y: f.y + 1, w: rackWidth - 2, h: f.height - 2, fill: fill, stroke: RGB(hex: 0x1e1e1e),
                attrs: [("class", "device"), ("data-ci", item.id.rawValue), ("data-face", face.rawValue), ("data-span", item.span.description), ("data-status", item.lifecycle.rawValue)])
            let textColor = item.lifecycle == .staged || item.lifecycle == .disposed ? RGB(hex: 0x222222) : RGB(hex: 0xffffff)
            w.text("\(item.label) · \(item.span)", x: x0 + 40, y: f.y + min(f.height, unitHeight) / 2 + 4, size: 10, fill: textColor)
            w.closeGroup()
            w.closeLink(linked)
        }
    }

    static func sideBar(_ e: RackElevation, labels: Labels, into w: inout SVGWriter) {
        let rack = e.rack
        var y = top
        w.text(labels.utilisation, x: sideBarX, y: y, size: 13, bold: true)
        y += 16
        func bar(_ name: String, _ value: Double, _ limit: Double?, _ unit: String) {
            let text =
                limit.map {
                    expand(labels.barWithLimit, ["name": name, "value": FitCheck.fmt(value), "limit": FitCheck.fmt($0), "unit": unit, "percent": String(Int((value / max($0, 1e-9) * 100).rounded()))])
                } ?? expand(labels.barWithoutLimit, ["name": name, "value": FitCheck.fmt(value), "unit": unit])
            w.text(text, x: sideBarX, y: y + 10, size: 10)
            w.rect(x: sideBarX, y: y + 16, w: 260, h: 12, fill: RGB(hex: 0xeeeeee), attrs: [("class", "bar-track")])
            if let limit, limit > 0 {
                let ratio = value / limit
                w.rect(x: sideBarX, y: y + 16, w: 260 * min(1, ratio), h: 12, fill: ratio > 1 ? overColor : barColor, attrs: [("class", "bar"), ("data-metric", name)])
            }
            y += 40
        }
        bar(labels.space, Double(e.usedHalves) / 2, Double(rack.heightU), "U")
        bar(labels.power, e.powerW / 1000, rack.powerBudgetKW, "kW")
        bar(labels.weight, e.weightKg, rack.maxWeightKg, "kg")
        w.text(labels.status, x: sideBarX, y: y + 6, size: 12, bold: true)
        y += 14
        for l in Lifecycle.allCases {
            w.rect(x: sideBarX, y: y, w: 16, h: 12, fill: color(for: l), stroke: RGB(hex: 0x1e1e1e), attrs: [("class", "legend"), ("data-status", l.rawValue)])
            w.text(labels.name(of: l), x: sideBarX + 22, y: y + 10, size: 10)
            y += 16
        }
        w.rect(x: sideBarX, y: y, w: 16, h: 12, fill: freeColor, stroke: RGB(hex: 0x1e1e1e), attrs: [("class", "legend"), ("data-status", "free")])
        w.text(labels.free, x: sideBarX + 22, y: y + 10, size: 10)
        y += 26
        if !e.zeroUItems.isEmpty {
            w.text(labels.zeroUHeading, x: sideBarX, y: y, size: 12, bold: true)
            for z in e.zeroUItems {
                y += 14
                w.text(labels.text(of: z), x: sideBarX, y: y, size: 10, attrs: [("data-ci", z.id.rawValue)])
            }
        }
    }
}
