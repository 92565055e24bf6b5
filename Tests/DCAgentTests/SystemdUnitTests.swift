import Foundation
import Testing

@Suite("systemd unit", .timeLimit(.minutes(2)))
struct SystemdUnitTests {
    /// Stages the unit, the binary and the targets it needs under a fake root.
    func stagedRoot(unit: String) throws -> TempDir {
        let root = TempDir()
        let fm = FileManager.default
        for d in ["usr/local/bin", "etc/systemd/system", "usr/lib/systemd/system", "bin"] {
            try fm.createDirectory(atPath: root.file(d), withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: Repo.dcagent, toPath: root.file("usr/local/bin/dcagent"))
        try fm.copyItem(atPath: "/bin/kill", toPath: root.file("bin/kill"))
        try unit.write(toFile: root.file("etc/systemd/system/dcagent.service"), atomically: true, encoding: .utf8)
        for t in try fm.contentsOfDirectory(atPath: "/lib/systemd/system") where t.hasSuffix(".target") {
            try? fm.copyItem(atPath: "/lib/systemd/system/\(t)", toPath: root.file("usr/lib/systemd/system/\(t)"))
        }
        return root
    }

    var unitText: String { get throws { try String(contentsOfFile: Repo.root + "/systemd/dcagent.service", encoding: .utf8) } }

    @Test("systemd-analyze verify accepts the unit (and rejects a broken one)")
    func verify() async throws {
        let root = try stagedRoot(unit: unitText)
        let r = try await runProcess("/usr/bin/systemd-analyze", ["verify", "--man=no", "--root=\(root.path)", "/etc/systemd/system/dcagent.service"])
        #expect(r.status == 0, "\(r.output)")
        let broken = try stagedRoot(unit: unitText.replacingOccurrences(of: "ExecStart=/usr/local/bin/dcagent", with: "ExecStart=/usr/local/bin/missing"))
        let b = try await runProcess("/usr/bin/systemd-analyze", ["verify", "--man=no", "--root=\(broken.path)", "/etc/systemd/system/dcagent.service"])
        // systemd-analyze verify exits 1 when a unit has an error (systemd 252: the missing ExecStart binary).
        #expect(b.status == 1, "\(b.output)")
        #expect(b.output.contains("Command /usr/local/bin/missing is not executable: No such file or directory"), "\(b.output)")
    }

    @Test("systemd-analyze security --offline=true rates the unit's exposure at most 2.0")
    func security() async throws {
        let root = try stagedRoot(unit: unitText)
        let r = try await runProcess("/usr/bin/systemd-analyze", ["security", "--offline=true", "--root=\(root.path)", "dcagent.service"])
        let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(r.output)")
        let score = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        #expect(score <= 2.0, "\(line)")
    }

    @Test("the unit declares what the daemon relies on")
    func declarations() async throws {
        let u = try unitText
        for needed in ["Type=notify", "WatchdogSec=", "Restart=on-failure", "DynamicUser=yes", "StateDirectory=dcagent",
                       "ConfigurationDirectory=dcagent", "ProtectSystem=strict", "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service",
                       "DeviceAllow=char-ttyUSB rw", "SupplementaryGroups=dialout", "ExecReload=/bin/kill -HUP $MAINPID"] {
            #expect(u.contains(needed), "missing \(needed)")
        }
    }
}
