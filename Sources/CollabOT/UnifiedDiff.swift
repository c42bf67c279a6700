/// A unified diff by lines (as `diff -u` prints it), for people: `GET …/diff?format=unified`
/// and `collab diff`. Lines split at LF only, so a CR stays in its line.
public enum UnifiedDiff {
    /// Lines of context around each change.
    public static let contextLines = 3

    /// The diff from `old` to `new` with `--- oldLabel` / `+++ newLabel` headers, or "" when the
    /// texts are equal. `colored` wraps headers, hunk lines, removals and additions in ANSI colours.
    public static func render(from old: String, to new: String, oldLabel: String, newLabel: String,
                              colored: Bool = false) -> String {
        let a = TextDiff.lines(Array(old.unicodeScalars)), b = TextDiff.lines(Array(new.unicodeScalars))
        // Texts this different get one hunk replacing everything between the common lines.
        let runs = EditScript(from: a, to: b, maxEdits: TextDiff.maxLineEdits)?.runs ?? coarse(a, b)
        // Each line once: (kind, old index, new index).
        var rows: [(kind: Character, old: Int, new: Int)] = []
        var i = 0, j = 0
        for run in runs {
            switch run {
            case .keep(let count):
                for _ in 0..<count { rows.append((" ", i, j)); i += 1; j += 1 }
            case .delete(let count):
                for _ in 0..<count { rows.append(("-", i, j)); i += 1 }
            case .insert(let range):
                for _ in range { rows.append(("+", i, j)); j += 1 }
            }
        }
        let changed = rows.indices.filter { rows[$0].kind != " " }
        guard !changed.isEmpty else { return "" }
        let paint: (String, String) -> String = { code, text in colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var out = paint("1", "--- \(oldLabel)") + "\n" + paint("1", "+++ \(newLabel)") + "\n"
        // Group changes whose context windows touch into hunks.
        var hunks: [ClosedRange<Int>] = []
        for index in changed {
            let window = max(0, index - contextLines)...min(rows.count - 1, index + contextLines)
            if let last = hunks.last, window.lowerBound <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, window.upperBound)
            } else {
                hunks.append(window)
            }
        }
        for hunk in hunks {
            let slice = rows[hunk]
            let oldCount = slice.filter { $0.kind != "+" }.count
            let newCount = slice.filter { $0.kind != "-" }.count
            let first = slice.first!
            out += paint("36", "@@ -\(range(first.old, oldCount)) +\(range(first.new, newCount)) @@") + "\n"
            for row in slice {
                let line = row.kind == "+" ? b[row.new] : a[row.old]
                let endsWithNewline = line.last == "\n"
                let body = String(row.kind) + TextDiff.string(endsWithNewline ? line.dropLast() : line[...])
                out += (row.kind == "-" ? paint("31", body) : row.kind == "+" ? paint("32", body) : body) + "\n"
                if !endsWithNewline { out += "\\ No newline at end of file\n" }
            }
        }
        return out
    }

    /// `start,count` as diff prints a hunk's range: 1-based, `,1` left out, and for an empty
    /// range the line before it.
    private static func range(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: "\(start),0"
        case 1: "\(start + 1)"
        default: "\(start + 1),\(count)"
        }
    }

    /// Everything between the common leading and trailing lines replaced.
    private static func coarse(_ a: [[Unicode.Scalar]], _ b: [[Unicode.Scalar]]) -> [EditScript.Run] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix
                && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        return [.keep(prefix), .delete(a.count - prefix - suffix), .insert(prefix..<(b.count - suffix)), .keep(suffix)]
            .filter { run in
                switch run {
                case .keep(let n), .delete(let n): n > 0
                case .insert(let r): !r.isEmpty
                }
            }
    }
}
