import Foundation

/// snmpd's pass_persist protocol as a pure state machine: feed it input lines, it returns
/// the lines to answer. `PING` → `PONG`; `get`/`getnext` + OID → OID, type, value or `NONE`;
/// `set` + OID + value → `not-writable`; an empty line ends the conversation.
struct PassPersist: Sendable {
    /// What the protocol wants next.
    private enum Expect: Sendable { case command, getOID, nextOID, setOID, setValue }

    private var expect = Expect.command
    /// True once snmpd has said goodbye (an empty command line).
    private(set) var finished = false

    /// Handles one input line; `table` is read only when a lookup needs it.
    mutating func handle(_ line: String, table: () -> SNMPTable?) -> [String] {
        let text = line.trimmingCharacters(in: .whitespaces)
        switch expect {
        case .command:
            switch text.lowercased() {
            case "ping": return ["PONG"]
            case "get": expect = .getOID
            case "getnext": expect = .nextOID
            case "set": expect = .setOID
            case "": finished = true
            default: return []
            }
            return []
        case .getOID:
            expect = .command
            return Self.reply(OID(text).flatMap { oid in table()?.get(oid) })
        case .nextOID:
            expect = .command
            return Self.reply(OID(text).flatMap { oid in table()?.next(after: oid) })
        case .setOID:
            expect = .setValue
            return []
        case .setValue:
            expect = .command
            return ["not-writable"]
        }
    }

    private static func reply(_ entry: SNMPTable.Entry?) -> [String] {
        guard let entry else { return ["NONE"] }
        return [entry.oid.description, entry.value.typeName, entry.value.text]
    }
}
