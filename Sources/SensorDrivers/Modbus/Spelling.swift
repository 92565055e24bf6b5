/// Config spellings compare case-insensitively with `-` and spaces read as `_`.
func normalizedSpelling(_ text: String) -> String {
    String(text.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
}
