import Foundation
import Glibc

/// An advisory `flock(2)` lock on a file, released on `unlock()` or when the process exits
/// (a SIGKILLed daemon leaves no stale lock).
public final class FileLock: @unchecked Sendable {
    /// The lock file.
    public let path: String
    private let fd: Int32

    /// Opens (creating) the lock file.
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io(path, "cannot open lock file: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Blocks until the exclusive lock is held.
    public func lockExclusive() throws {
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw StoreError.io(path, "flock: \(String(cString: strerror(errno)))") }
        }
    }

    /// Takes the exclusive lock if free; false when another process holds it.
    public func tryLockExclusive() throws -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw StoreError.io(path, "flock: \(String(cString: strerror(errno)))")
    }

    /// Writes a short note (the holder's pid) into the lock file.
    public func record(_ text: String) {
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// The note written by the holder, if any.
    public func holderNote() -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Releases the lock.
    public func unlock() { flock(fd, LOCK_UN) }
}

/// Writes a file atomically: a temporary file, fsync, rename.
enum AtomicFile {
    static func write(_ text: String, to path: String, temporary: String, mode: mode_t) throws {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StoreError.io(temporary, String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard n == bytes.count else { throw StoreError.io(temporary, "short write") }
        guard rename(temporary, path) == 0 else { throw StoreError.io(path, "rename: \(String(cString: strerror(errno)))") }
    }
}
