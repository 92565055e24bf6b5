/// Protocol limits of Modbus (application protocol spec v1.1b3, §6.1–6.4).
public enum ModbusLimits {
    /// The most registers one read request (function 03/04) may ask for.
    public static let maxRegistersPerRequest = 125
    /// The most bits one read request (function 01/02) may ask for.
    public static let maxBitsPerRequest = 2000
    /// The highest protocol address (0-based) of any table.
    public static let maxAddress = 65_535
    /// The lowest unit id a request may address (0 is broadcast, never read).
    public static let minUnit = 1
    /// The highest unit id a request may address.
    public static let maxUnit = 247
}
