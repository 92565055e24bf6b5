import CNetSNMP
import Foundation
import Synchronization

/// Initialises net-snmp once per process: no MIB loading, no configuration files, no persistent
/// state written, library logging off. Every session calls ``ensureInitialised()`` first.
enum NetSNMPLibrary {
    private static let done = Mutex(false)
    private static let usm = Mutex(())

    /// Runs `body` holding the process-wide lock for net-snmp's shared state. Debian builds
    /// net-snmp without `NETSNMP_REENTRANT`, so the USM user list, engine-time cache and session
    /// setup are unprotected: every open and close, and every SNMPv3 exchange, goes through here.
    /// v1/v2c exchanges touch no shared state beyond request ids and run concurrently.
    static func withSharedState<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try usm.withLock { (_: inout ()) throws(E) -> T in try body() }
    }

    /// Runs `init_snmp("dcagent")` the first time it is called; later calls return at once.
    static func ensureInitialised() {
        done.withLock { initialised in
            guard !initialised else { return }
            if ProcessInfo.processInfo.environment["MIBS"] == nil { setenv("MIBS", "", 1) }
            netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1)
            netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1)
            netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1)
            netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1)
            snmp_disable_log()
            init_snmp("dcagent")
            initialised = true
        }
    }
}
