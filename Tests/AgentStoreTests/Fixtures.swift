import AgentStore
import Foundation
import Telemetry

/// A fresh directory under the system temp dir, removed when the value is released.
final class TempDir: Sendable {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "dcagent-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

func point(_ text: String) -> PointID { PointID(text)! }

func reading(_ p: String, _ ms: Int64, _ v: Double, _ q: Quality = .good) -> Reading {
    Reading(point: point(p), time: Timestamp(milliseconds: ms), value: v, quality: q)
}

/// An hour boundary far from "now", so tests do not depend on the wall clock.
let hour0: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
