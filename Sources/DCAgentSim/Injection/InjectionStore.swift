import Foundation

/// The injections file of a state directory, written by `inject`, read by the running simulator each tick.
struct InjectionStore: Sendable {
    private struct File: Codable { var injections: [Injection] }

    let file: String

    init(_ dir: StateDirectory) { file = dir.injections }

    /// Every stored injection (empty when the file does not exist).
    func load() throws -> [Injection] { try StateDirectory.read(File.self, from: file)?.injections ?? [] }

    /// Replaces the stored injections.
    func save(_ injections: [Injection]) throws { try StateDirectory.write(File(injections: injections), to: file) }
}
