import SensorDrivers
import Testing

/// The RTU endpoint's options → what `modbus_new_rtu` is given (device, baud, parity char, data
/// and stop bits). The pty pair the peer tests use refuses parity, so the mapping is proved here,
/// spelling by spelling, and every bad option is refused with its own message.
@Suite("RTU serial settings: every documented spelling maps to libmodbus's arguments; bad ones are refused", .timeLimit(.minutes(1)))
struct SerialSettingsTests {
    static func settings(_ text: String) throws -> SerialSettings {
        let endpoint = try ModbusEndpoint(parsing: text)
        guard case .rtu(let s) = endpoint else {
            Issue.record("\(text) parsed as \(endpoint)")
            return SerialSettings(device: "")
        }
        return s
    }

    static func char(_ c: CChar) -> Character { Character(UnicodeScalar(UInt8(bitPattern: c))) }

    /// Every spelling docs/sensors.md and docs/configuration.md show, and each alias the parser
    /// documents (`none`/`N`/`no`, `even`/`E`, `odd`/`O`, any case), with the libmodbus character.
    @Test(
        "parity spellings → 'N', 'E', 'O'",
        arguments: [
            ("none", "N"), ("None", "N"), ("NONE", "N"), ("n", "N"), ("N", "N"), ("no", "N"),
            ("even", "E"), ("Even", "E"), ("EVEN", "E"), ("e", "E"), ("E", "E"),
            ("odd", "O"), ("Odd", "O"), ("ODD", "O"), ("o", "O"), ("O", "O"),
        ])
    func parity(_ spelling: String, _ code: String) throws {
        let s = try Self.settings("rtu:///dev/ttyUSB0?parity=\(spelling)")
        #expect(String(Self.char(s.parity.libmodbusCode)) == code)
        // What the settings print parses back to the same settings (logs, `dcagent probe`).
        #expect(try ModbusEndpoint(parsing: ModbusEndpoint.rtu(s).description) == .rtu(s))
    }

    @Test("the examples of the docs map exactly")
    func documentedExamples() throws {
        // docs/sensors.md
        #expect(
            try Self.settings("rtu:///dev/ttyUSB0?baud=9600&parity=even&data=8&stop=1")
                == SerialSettings(device: "/dev/ttyUSB0", baud: 9600, parity: .even, dataBits: 8, stopBits: 1))
        // docs/configuration.md and docs/operator-guide.md
        #expect(
            try Self.settings("rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1")
                == SerialSettings(device: "/dev/ttyUSB0", baud: 19_200, parity: .even, dataBits: 8, stopBits: 1))
        #expect(try Self.settings("rtu:///dev/ttyUSB0?baud=19200&parity=E") == SerialSettings(device: "/dev/ttyUSB0"))
        // Defaults: the Modbus serial line default 19200 8E1 (Modbus over Serial Line V1.02 §2.5.1).
        let d = try Self.settings("rtu:///dev/ttyS0")
        #expect(d.baud == 19_200 && Self.char(d.parity.libmodbusCode) == "E" && d.dataBits == 8 && d.stopBits == 1)
        // Stop bits; the spec's "no parity → 2 stop bits".
        #expect(try Self.settings("rtu:///dev/ttyS0?parity=none&stop=2") == SerialSettings(device: "/dev/ttyS0", parity: .none, stopBits: 2))
        #expect(try Self.settings("rtu:///dev/serial/by-id/usb-FTDI_FT232R-if00-port0?baud=38400").device == "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0")
    }

    /// The rates libmodbus maps to a termios speed on Linux; any other it would silently set to 9600.
    @Test(
        "every standard baud rate is kept as given",
        arguments: [110, 300, 600, 1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 921_600, 4_000_000])
    func baud(_ rate: Int) throws {
        #expect(try Self.settings("rtu:///dev/ttyUSB0?baud=\(rate)").baud == rate)
    }

    @Test(
        "bad options are refused with a message naming the option",
        arguments: [
            ("rtu:///dev/x?baud=14400", "'rtu:///dev/x?baud=14400': baud '14400' is not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, …)"),
            ("rtu:///dev/x?baud=96000", "'rtu:///dev/x?baud=96000': baud '96000' is not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, …)"),
            ("rtu:///dev/x?baud=0", "'rtu:///dev/x?baud=0': baud '0' is not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, …)"),
            ("rtu:///dev/x?baud=-9600", "'rtu:///dev/x?baud=-9600': baud '-9600' is not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, …)"),
            ("rtu:///dev/x?baud=fast", "'rtu:///dev/x?baud=fast': baud 'fast' is not a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, …)"),
            ("rtu:///dev/x?baud=", "'rtu:///dev/x?baud=': 'baud=' is not key=value"),
            ("rtu:///dev/x?parity=mark", "'rtu:///dev/x?parity=mark': parity 'mark' (none, even, odd)"),
            ("rtu:///dev/x?parity=space", "'rtu:///dev/x?parity=space': parity 'space' (none, even, odd)"),
            ("rtu:///dev/x?parity=", "'rtu:///dev/x?parity=': 'parity=' is not key=value"),
            ("rtu:///dev/x?parity=EO", "'rtu:///dev/x?parity=EO': parity 'EO' (none, even, odd)"),
            ("rtu:///dev/x?data=7", "'rtu:///dev/x?data=7': data bits '7': Modbus RTU uses 8"),
            ("rtu:///dev/x?data=9", "'rtu:///dev/x?data=9': data bits '9': Modbus RTU uses 8"),
            ("rtu:///dev/x?stop=0", "'rtu:///dev/x?stop=0': stop bits '0' (1 or 2)"),
            ("rtu:///dev/x?stop=1.5", "'rtu:///dev/x?stop=1.5': stop bits '1.5' (1 or 2)"),
            ("rtu:///dev/x?stop=3", "'rtu:///dev/x?stop=3': stop bits '3' (1 or 2)"),
            ("rtu:///dev/x?speed=9600", "'rtu:///dev/x?speed=9600': unknown option 'speed'"),
            ("rtu:///dev/x?Baud=9600", "'rtu:///dev/x?Baud=9600': unknown option 'Baud'"),
            ("rtu:///dev/x?baud", "'rtu:///dev/x?baud': 'baud' is not key=value"),
            ("rtu://ttyUSB0", "'rtu://ttyUSB0': no serial device path"),
            ("rtu://?baud=9600", "'rtu://?baud=9600': no serial device path"),
        ])
    func refused(_ text: String, _ message: String) {
        #expect {
            try ModbusEndpoint(parsing: text)
        } throws: { error in
            guard let e = error as? ProfileError else { return false }
            return e.code == .badEndpoint && e.key == "endpoint" && e.detail == message
        }
    }
}
