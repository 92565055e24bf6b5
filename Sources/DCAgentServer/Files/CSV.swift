package import Foundation

/// A small RFC 4180 CSV reader and writer: comma-separated fields, fields quoted with `"` when
/// they hold a comma, quote, CR or LF, quotes doubled inside; CRLF or LF line ends.
package enum CSV {
    /// Quotes one field when needed.
    package static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Writes rows with CRLF line ends (RFC 4180).
    package static func write(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// Parses a document into rows; throws on a quote left open or text after a closing quote.
    package static func parse(_ text: String) throws(CSVError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var afterQuote = false
        var line = 1
        var chars = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; afterQuote = true; pending = n }
                    } else { quoted = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case ",":
                row.append(field); field = ""; afterQuote = false
            case "\r\n", "\n", "\r":
                row.append(field); field = ""; afterQuote = false
                rows.append(row); row = []
                line += 1
            case "\"":
                guard field.isEmpty && !afterQuote else { throw CSVError(line: line, reason: "a quote inside an unquoted field") }
                quoted = true
            default:
                if afterQuote { throw CSVError(line: line, reason: "text after a closing quote") }
                field.append(c)
            }
        }
        if quoted { throw CSVError(line: line, reason: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

/// A CSV syntax error with its line.
package struct CSVError: Error, CustomStringConvertible {
    package var line: Int
    package var reason: String
    package var description: String { "line \(line): \(reason)" }
}
