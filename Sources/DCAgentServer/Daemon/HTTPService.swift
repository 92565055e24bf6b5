package import AgentStore
package import ContaminationRules
package import DCAgentWeb
import SensorDrivers
package import Foundation
package import Hummingbird
package import HummingbirdTLS
import HummingbirdCore
package import Logging
package import ServiceLifecycle
import Telemetry

/// The daemon's HTTP server: the routes of ``DCAgentWeb`` over this agent's store and services,
/// bound where the config says (127.0.0.1 unless configured).
package enum HTTPService {
    package static func make(
        runtime: Runtime, events: any EventReading, access: any AccessControl, eventActions: any EventActing,
        tickets: any TicketReading, commits: @escaping @Sendable () -> AsyncStream<Void>,
        logger: Logger, onRunning: @escaping @Sendable () -> Void
    ) async throws -> some Service {
        let plan = runtime.current
        var sources = WebSources(status: runtime, events: events, commits: commits)
        do { sources.pages = try await PageRenderer.load() } catch {
            throw ConfigFileError("the web pages' templates cannot be loaded: \(error)")
        }
        sources.sites = plan.sites.map { WebSite(id: $0.id.rawValue, name: $0.name, timeZone: $0.timeZone) }
        sources.language = Language(rawValue: plan.http.language) ?? .en
        if let store = runtime.store {
            sources.floors = store.floor
            sources.floorEdits = store.floor
            sources.samples = store.samples
            sources.audit = store.audit
            sources.checklists = store.checklists
            sources.checklistActions = store.checklists
            sources.records = store.records
            sources.followUps = store.followUps
            sources.followUpFigures = store.events
        }
        let rules = runtime.rules
        sources.limits = { point in rules?.status.snapshot.limits[point] ?? [] }
        sources.obligationDuties = { rules?.status.snapshot.obligations ?? [] }
        let templates = ChecklistTemplates.directory(besideConfig: plan.file)
        sources.checklistTemplates = { try templates.map { try ChecklistTemplates.all(from: $0) } ?? [] }
        if let rt = plan.itsm?.rt {
            let base = rt.url.hasSuffix("/") ? String(rt.url.dropLast()) : rt.url
            sources.ticketURL = { target, ticket in
                target == "builtin" ? "/tickets/\(ticket)" : target == "rt" ? "\(base)/Ticket/Display.html?id=\(ticket)" : nil
            }
        }
        sources.metrics = { await runtime.metricsText(logger: logger) }
        sources.access = access
        sources.eventActions = eventActions
        sources.tickets = tickets
        sources.sessionLifetime = plan.http.sessionLifetime
        sources.tls = plan.http.tls != nil
        sources.secureCookies = plan.http.tls != nil || HTTPPlan.isLoopback(plan.http.bind)
        let server: HTTPServerBuilder = try plan.http.tls.map { try .tls(.http1(), tlsConfiguration: tlsConfiguration($0)) } ?? .http1()
        return Application(
            router: WebRoutes.router(sources, logger: logger),
            server: server,
            configuration: .init(address: .hostname(plan.http.bind, port: plan.http.port), serverName: "dcagent"),
            onServerRunning: { channel in
                logger.info("HTTP listening", metadata: ["http.address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                runtime.httpStarted()
                onRunning()
            },
            logger: logger)
    }
}

/// The server's TLS settings from the certificate chain and key files (PEM); a file that does
/// not load is named in the error.
package func tlsConfiguration(_ files: HTTPPlan.TLSFiles) throws -> TLSConfiguration {
    let chain: [NIOSSLCertificate]
    do { chain = try NIOSSLCertificate.fromPEMFile(files.certificateFile) } catch {
        throw ConfigFileError("http.tls.certificate_file: cannot load \(files.certificateFile) as a PEM certificate chain: \(error)")
    }
    guard !chain.isEmpty else { throw ConfigFileError("http.tls.certificate_file: \(files.certificateFile) holds no certificate") }
    let key: NIOSSLPrivateKey
    do { key = try NIOSSLPrivateKey(file: files.keyFile, format: .pem) } catch {
        throw ConfigFileError("http.tls.key_file: cannot load \(files.keyFile) as a PEM private key: \(error)")
    }
    var c = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    c.minimumTLSVersion = .tlsv12
    return c
}

/// A file named by the config that cannot be used.
package struct ConfigFileError: Error, CustomStringConvertible {
    package var description: String
    init(_ d: String) { description = d }
}

extension Runtime: AgentStatusSource {
    package func health() async -> HealthView {
        let w = writer.health
        let devices = await deviceHealth()
        let clock = ClockSync.read()
        var h = HealthView()
        h.status = w.stuck ? "degraded" : "ok"
        h.agent = current.agentName
        h.sites = current.sites.map { $0.id.rawValue }
        h.uptimeS = Int(Date().timeIntervalSince(started))
        h.reloads = reloadCount
        h.clock.synchronised = clock.synchronised
        h.clock.source = clock.source
        h.clock.maxErrorS = clock.maxErrorSeconds
        h.sensors.total = devices.count
        h.sensors.offline = devices.filter { $0.value.offline }.keys.map(\.rawValue).sorted()
        if let r = rules?.status.snapshot {
            var c = HealthView.RuleCounters()
            (c.rules, c.firing, c.evaluations, c.checkpoints) = (r.rules, r.firing, r.evaluations, r.checkpoints)
            (c.lastCheckpoint, c.lastError) = (r.lastCheckpoint.map { "\($0)" }, r.lastError)
            (c.droppedInputs, c.replayedAfterRestart, c.reloads) = (r.droppedInputs, r.replayed, r.reloads)
            h.rules = .on(c)
        }
        (h.writer.queued, h.writer.dropped, h.writer.acknowledged) = (w.queued, w.dropped, w.acknowledged)
        (h.writer.batches, h.writer.stuck, h.writer.lastError) = (w.batches, w.stuck, w.lastError)
        if let itsm = current.itsm, let s = try? await ITSMStore(database: database).status(target: itsm.tickets) {
            var v = HealthView.ITSM()
            (v.tickets, v.pending, v.oldestPending) = (itsm.tickets, s.pending, s.oldestPending.map { "\($0)" })
            (v.sent, v.dead, v.failures) = (s.sent, s.dead, s.failuresByClass)
            h.itsm = v
        }
        return h
    }

    /// Ready when the store answers a read, the rules engine (when configured) has started and
    /// replayed, the HTTP server listens and the writer is not stuck.
    package func readiness() async -> ReadinessView {
        var checks: [String: String] = [:]
        do {
            try await database.ping()
            checks["store"] = ReadinessView.ok
        } catch {
            checks["store"] = "cannot read: \(error)"
        }
        if let rules {
            checks["rules"] = rules.status.snapshot.running ? ReadinessView.ok : "loading"
        } else {
            checks["rules"] = ReadinessView.ok
        }
        checks["http"] = isHTTPUp ? ReadinessView.ok : "starting"
        let w = writer.health
        checks["writer"] = w.stuck ? "stuck" + (w.lastError.map { ": \($0)" } ?? "") : ReadinessView.ok
        return ReadinessView(checks: checks)
    }

    /// The metrics exposition: the totals read now, then the registry's text.
    package func metricsText(logger: Logger) async -> String {
        var scrape = AgentMetrics.Scrape(writer: writer.health)
        scrape.rulesDropped = rules?.status.snapshot.droppedInputs ?? 0
        scrape.devices = await deviceHealth()
        if let events = store?.events {
            do { scrape.events = try await events.counts() } catch {
                logger.warning("metrics: cannot count the events: \(error)")
            }
        }
        return metrics.scrape(scrape)
    }

    package func devices() async -> [DeviceView] {
        await deviceHealth().sorted { $0.key < $1.key }.map { id, d in
            var v = DeviceView()
            (v.id, v.offline, v.consecutiveFailures, v.polls) = (id.rawValue, d.offline, d.consecutiveFailures, d.polls)
            (v.lastSuccess, v.lastFailure) = (d.lastSuccess.map { "\($0)" }, d.lastFailure.map { "\($0)" })
            (v.lastError, v.lastPollMs) = (d.lastError, d.lastPollDuration.map { $0.inSeconds * 1000 })
            return v
        }
    }
}
