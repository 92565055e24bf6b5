import AgentStore
import ArgumentParser
import DCAgentServer
import DCAgentWeb
import Foundation
import ITSMLink
import Telemetry

extension ITSMCommand {
    /// `dcagent itsm report --site S --month YYYY-MM [--through YYYY-MM] [--format text|json]`:
    /// the follow-up figures (issue 15 item 6; Lampiran II F.1), from the same library call as
    /// `GET /api/v1/itsm/report`.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Follow-up figures of a site's month: time to acknowledge and to resolve, events and tickets per rack, room and month, recurring events."
        )
        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

        @OptionGroup var config: ConfigOption
        @Option(help: "The site (an id under `sites:` in the config).") var site: String
        @Option(help: "The month, YYYY-MM, read in the site's time zone.") var month: String
        @Option(help: "The last month of a longer period, YYYY-MM (default: --month).") var through: String?
        @Option(help: "text (the default) or json (the shape of GET /api/v1/itsm/report).") var format: Format = .text

        func validate() throws {
            // The month's shape is checked before the config is read; the site needs the config.
            do { _ = try ReportMonth(parsing: month) } catch { throw ValidationError("--month \(error)") }
            if let through {
                do { _ = try ReportMonth(parsing: through) } catch { throw ValidationError("--through \(error)") }
            }
        }

        func run() async throws {
            let plan = try config.plan()
            let sites = plan.sites.map { WebSite(id: $0.id.rawValue, name: $0.name, timeZone: $0.timeZone) }
            let request: FollowUpReport.Request
            do throws(FollowUpReport.Invalid) {
                request = try FollowUpReport.request(site: site, month: month, through: through, sites: sites)
            } catch {
                // Bad command-line input (STYLE 9): `site 'X': not a site …` → `--site 'X': not a site …`.
                throw ValidationError("--\(error.message)")
            }
            try await config.withStore(readOnly: true) { store in
                let figures = try await FollowUpReport.figures(request, from: store.events)
                let view = FollowUpView(figures, zone: request.zone)
                switch format {
                case .json: print(String(decoding: try WebJSON.prettyEncoder.encode(view), as: UTF8.self))
                case .text: print(Self.text(view), terminator: "")
                }
            }
        }

        /// The figures for a person: one block per figure, tab-separated tables.
        static func text(_ v: FollowUpView) -> String {
            let period = v.month == v.through ? v.month : "\(v.month) to \(v.through)"
            var out = "Follow-up figures of site \(v.site), \(period) (\(v.timeZone): \(v.from) to \(v.to))\n"
            out += "openings\t\(v.openings)\ntickets\t\(v.tickets)\n"
            func line(_ name: String, _ f: FollowUpView.Figure, _ missing: String) -> String {
                guard let mean = f.meanSeconds, let median = f.medianSeconds else {
                    return "\(name)\tnone over 0 openings; \(f.notReached) \(missing)\n"
                }
                return "\(name)\tmean \(duration(mean)), median \(duration(median)) over \(f.count) openings; \(f.notReached) \(missing)\n"
            }
            out += line("time to acknowledge (MTTA)", v.timeToAcknowledge, "not acknowledged")
            out += line("time to resolve (MTTR)", v.timeToResolve, "not resolved")
            out += line("time to resolve the ticket", v.timeToResolveTicket, "with a ticket not resolved (or of unknown resolve)")
            out += "\nper rack\tevents\ttickets\n"
            for r in v.byRack { out += "\(r.rack ?? "(no rack)")\t\(r.events)\t\(r.tickets)\n" }
            out += "\nper room\tevents\ttickets\n"
            for r in v.byRoom { out += "\(r.room ?? "(no room)")\t\(r.events)\t\(r.tickets)\n" }
            out += "\nper month\tevents\ttickets\n"
            for m in v.byMonth { out += "\(m.month)\t\(m.events)\t\(m.tickets)\n" }
            out += "\nrecurring\topenings\trule\tscope\n"
            if v.recurring.isEmpty { out += "(no event opened more than once)\n" }
            for r in v.recurring { out += "\(r.dedupKey)\t\(r.openings)\t\(r.rule)\t\(r.scope)\n" }
            return out
        }

        /// Seconds as `1h2m3s`, to the second (signed: a clock set back can make one negative).
        static func duration(_ seconds: Double) -> String {
            let whole = Int64(seconds.rounded())
            return (whole < 0 ? "-" : "") + DurationText.format(.seconds(whole.magnitude))
        }
    }
}
