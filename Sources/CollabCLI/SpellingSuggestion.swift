/// Finds the word a user probably meant, for "Did you mean …?" hints.
public enum SpellingSuggestion {
    /// The candidate closest to `typed`, if one is close enough to be a plausible typo.
    ///
    /// Leading dashes are ignored when comparing, so `-port` suggests `--port`. A
    /// candidate is close when its edit distance (with transpositions) is at most a third
    /// of the typed length (at least 1, at most 3) and shorter than it (so `-x` does not
    /// suggest `-o`), or when the typed text is an
    /// unambiguous prefix of at least 3 characters.
    public static func closest(to typed: String, among candidates: [String]) -> String? {
        let word = strippingDashes(typed)
        guard !word.isEmpty else { return nil }
        let limit = max(1, min(3, word.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word, strippingDashes(candidate))
            if distance <= limit, distance < word.count, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        if word.count >= 3 {
            let extensions = candidates.filter { strippingDashes($0).hasPrefix(word) }
            if extensions.count == 1 { return extensions[0] }
        }
        return nil
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and
    /// swaps of two neighbouring characters each cost 1.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousRow = [Int](repeating: 0, count: b.count + 1)
        var row = Array(0...b.count)
        var nextRow = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            nextRow[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(row[j] + 1, nextRow[j - 1] + 1, row[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousRow[j - 2] + 1)
                }
                nextRow[j] = value
            }
            (previousRow, row, nextRow) = (row, nextRow, previousRow)
        }
        return row[b.count]
    }

    private static func strippingDashes(_ text: String) -> String {
        String(text.drop { $0 == "-" })
    }
}
