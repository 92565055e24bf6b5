public import Telemetry

/// A floor tile: a row letter (A is the north edge) and a column number from 1 (west edge).
/// Written `C07` or `C7`; encoded as `C07`.
public struct Tile: Hashable, Comparable, Sendable, TextCodable, CustomStringConvertible {
    /// Row index from 0 (row A).
    public var row: Int
    /// Column number from 1.
    public var column: Int

    /// Creates a tile from a row index (0 = A) and a column number (1-based).
    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// Parses `C07`/`C7` (rows A–Z); nil otherwise.
    public init?(_ text: String) {
        guard let first = text.unicodeScalars.first, first.isASCII,
            ("A"..."Z").contains(first), let col = Int(text.dropFirst()), col >= 1
        else { return nil }
        self.row = Int(first.value) - 65
        self.column = col
    }

    /// The row letter.
    public var rowLetter: String { String(UnicodeScalar(UInt8(65 + max(0, min(25, row))))) }

    /// `C07`.
    public var description: String { rowLetter + (column < 10 ? "0" : "") + String(column) }

    /// The neighbouring tile one step in a direction.
    public func moved(_ direction: Direction) -> Tile {
        Tile(row: row + direction.offset.row, column: column + direction.offset.column)
    }

    public static func < (a: Tile, b: Tile) -> Bool { (a.row, a.column) < (b.row, b.column) }

    public init?(text: String) { self.init(text) }
    public static let textForm = "a tile (row letter A–Z + column number, e.g. C07)"
}

/// A rectangle of tiles, both corners included.
public struct TileRect: Hashable, Sendable, Codable, CustomStringConvertible {
    /// North-west corner.
    public var from: Tile
    /// South-east corner.
    public var to: Tile

    /// Creates a rectangle; the corners are normalised.
    public init(from: Tile, to: Tile) {
        self.from = Tile(row: min(from.row, to.row), column: min(from.column, to.column))
        self.to = Tile(row: max(from.row, to.row), column: max(from.column, to.column))
    }

    /// True when the tile lies inside.
    public func contains(_ t: Tile) -> Bool {
        (from.row...to.row).contains(t.row) && (from.column...to.column).contains(t.column)
    }

    /// `C01–C12`.
    public var description: String { "\(from)–\(to)" }
}

/// The tile grid of a room: raised-floor tiles of one size, rows by letter, columns by number.
public struct FloorGrid: Hashable, Sendable, Codable {
    /// Tile edge in millimetres (600 is the usual raised-floor tile).
    public var tileMM: Int
    /// Number of rows (A, B, …; at most 26).
    public var rows: Int
    /// Number of columns (1, 2, …).
    public var columns: Int

    enum CodingKeys: String, CodingKey {
        case rows, columns
        case tileMM = "tile_mm"
    }

    /// Creates a grid.
    public init(tileMM: Int = 600, rows: Int, columns: Int) {
        self.tileMM = tileMM
        self.rows = rows
        self.columns = columns
    }

    /// True when the tile is on the grid.
    public func contains(_ t: Tile) -> Bool { t.row >= 0 && t.row < rows && t.column >= 1 && t.column <= columns }
}
