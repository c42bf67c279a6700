/// The minimal text operation between two texts, in Unicode scalars: what `restore` appends
/// and `GET /v1/docs/{id}/diff` answers.
public enum TextDiff {
    /// Edits beyond which the scalar-level diff gives way to a line-level one.
    static let maxScalarEdits = 1_000
    /// Edits beyond which the line-level diff gives way to one replacement of the middle.
    static let maxLineEdits = 2_000

    /// The operation that turns `old` into `new`: it keeps their common prefix and suffix and,
    /// between them, every span a shortest edit script keeps (by scalars when the texts differ
    /// in at most `maxScalarEdits` scalars, else by lines, else the middle is replaced whole).
    public static func operation(from old: String, to new: String) -> TextOperation {
        let a = Array(old.unicodeScalars), b = Array(new.unicodeScalars)
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix
                && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let middleA = Array(a[prefix..<(a.count - suffix)]), middleB = Array(b[prefix..<(b.count - suffix)])
        var operation = TextOperation()
        operation.retain(prefix)
        if let script = EditScript(from: middleA, to: middleB, maxEdits: maxScalarEdits) {
            append(script, insertedFrom: middleB, to: &operation)
        } else {
            let linesA = lines(middleA), linesB = lines(middleB)
            if let script = EditScript(from: linesA, to: linesB, maxEdits: maxLineEdits) {
                var lineA = 0
                for run in script.runs {
                    switch run {
                    case .keep(let count):
                        operation.retain(linesA[lineA..<lineA + count].reduce(0) { $0 + $1.count })
                        lineA += count
                    case .delete(let count):
                        operation.delete(linesA[lineA..<lineA + count].reduce(0) { $0 + $1.count })
                        lineA += count
                    case .insert(let range):
                        operation.insert(string(linesB[range].flatMap { $0 }))
                    }
                }
            } else {
                operation.delete(middleA.count)
                operation.insert(string(middleB))
            }
        }
        operation.retain(suffix)
        return operation
    }

    private static func append(_ script: EditScript, insertedFrom new: [Unicode.Scalar],
                               to operation: inout TextOperation) {
        for run in script.runs {
            switch run {
            case .keep(let count): operation.retain(count)
            case .delete(let count): operation.delete(count)
            case .insert(let range): operation.insert(string(new[range]))
            }
        }
    }

    /// The scalars split after each LF (the last line may have none).
    static func lines(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var start = 0
        for (index, scalar) in scalars.enumerated() where scalar == "\n" {
            lines.append(Array(scalars[start...index]))
            start = index + 1
        }
        if start < scalars.count { lines.append(Array(scalars[start...])) }
        return lines
    }

    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
