import AgentStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a secret without it ever being an argument: from a file's first line, or standard input
/// (at a terminal: asked twice, without echo).
enum PasswordInput {
    static func read(file: String?) throws -> String {
        if let file {
            guard let text = FileManager.default.contents(atPath: file).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw StoreError.io(file, "cannot read the password file")
            }
            return try firstLine(text, from: file)
        }
        if isatty(STDIN_FILENO) == 1 {
            let first = try prompt("New password: ")
            let second = try prompt("Again: ")
            guard first == second else { throw StoreError.invalid("the two passwords differ") }
            return first
        }
        var data = Data()
        while let chunk = try FileHandle.standardInput.read(upToCount: 4096), !chunk.isEmpty { data.append(chunk) }
        return try firstLine(String(decoding: data, as: UTF8.self), from: "standard input")
    }

    private static func firstLine(_ text: String, from source: String) throws -> String {
        let line = String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        guard !line.isEmpty else { throw StoreError.invalid("no password in \(source)") }
        return line
    }

    /// Asks at the terminal with echo off.
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw StoreError.invalid("no password given") }
        return line
    }
}
