import CModbus
import Foundation

/// The libmodbus mappings of every unit behind one TCP endpoint, shared between the
/// tick loop (which publishes images) and the endpoint's server thread (which replies).
/// One lock guards them; the server holds it only for the length of one `modbus_reply`.
final class ModbusUnitTable: @unchecked Sendable {
    /// How a unit answers now.
    enum Answer {
        /// Reply from this mapping.
        case mapping(UnsafeMutablePointer<modbus_mapping_t>)
        /// The unit is offline: send nothing.
        case silent
        /// No such unit behind this gateway.
        case unknown
    }

    private let lock = NSLock()
    private var mappings: [UInt8: UnsafeMutablePointer<modbus_mapping_t>] = [:]
    private var offline: Set<UInt8> = []

    /// Allocates a zeroed mapping per unit, sized by its layout.
    init(layouts: [UInt8: ModbusLayout]) throws {
        for (unit, l) in layouts {
            guard
                let m = modbus_mapping_new_start_address(
                    0, UInt32(l.coils), 0, UInt32(l.discreteInputs), 0, UInt32(l.holding), 0, UInt32(l.input))
            else { throw SimError.server(endpoint: "unit \(unit)", "cannot allocate a register mapping") }
            mappings[unit] = m
        }
    }

    deinit {
        for m in mappings.values { modbus_mapping_free(m) }
    }

    /// The units served.
    var units: [UInt8] { lock.withLock { mappings.keys.sorted() } }

    /// Copies `image` into the unit's mapping (sizes come from the same layout).
    func publish(unit: UInt8, image: ModbusImage) {
        lock.withLock {
            guard let m = mappings[unit] else { return }
            Self.copy(image.coils, into: m.pointee.tab_bits, count: m.pointee.nb_bits)
            Self.copy(image.discreteInputs, into: m.pointee.tab_input_bits, count: m.pointee.nb_input_bits)
            Self.copy(image.holding, into: m.pointee.tab_registers, count: m.pointee.nb_registers)
            Self.copy(image.input, into: m.pointee.tab_input_registers, count: m.pointee.nb_input_registers)
        }
    }

    /// Marks a unit offline (it stops answering) or back online.
    func setOffline(unit: UInt8, _ isOffline: Bool) {
        lock.withLock {
            if isOffline { offline.insert(unit) } else { offline.remove(unit) }
        }
    }

    /// Runs `body` with the unit's answer while holding the lock.
    func withAnswer<R>(unit: UInt8, _ body: (Answer) -> R) -> R {
        lock.withLock {
            guard let m = mappings[unit] else { return body(.unknown) }
            return body(offline.contains(unit) ? .silent : .mapping(m))
        }
    }

    private static func copy<T>(_ source: [T], into target: UnsafeMutablePointer<T>?, count: Int32) {
        guard let target, count > 0 else { return }
        source.withUnsafeBufferPointer { buf in
            target.update(from: buf.baseAddress!, count: min(buf.count, Int(count)))
        }
    }
}
