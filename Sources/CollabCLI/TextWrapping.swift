/// Word wrapping for help text.
enum TextWrapping {
    /// Wraps `text` to `width` columns. The first line starts with `prefix`; later lines
    /// start with `indent` spaces. Newlines in `text` are kept (a blank line stays blank).
    static func wrap(_ text: String, width: Int, prefix: String = "", indent: Int = 0) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var result: [String] = []
        for (number, line) in lines.enumerated() {
            let words = line.split(separator: " ").map(String.init)
            let start = number == 0 ? prefix : String(repeating: " ", count: indent)
            result.append(wrap(words: words, width: width, prefix: start, indent: indent))
        }
        return result.joined(separator: "\n")
    }

    /// Wraps `words` (each kept whole, even if it holds spaces) to `width` columns.
    static func wrap(words: [String], width: Int, prefix: String, indent: Int) -> String {
        var lines: [String] = []
        var line = prefix
        var lineHasWord = false
        for word in words {
            if !lineHasWord {
                line += word
            } else if line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: indent) + word
            } else {
                line += " " + word
            }
            lineHasWord = true
        }
        lines.append(line)
        return lines.map(trimmingTrailingSpaces).joined(separator: "\n")
    }

    private static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = Substring(line)
        while line.last == " " { line = line.dropLast() }
        return String(line)
    }
}
