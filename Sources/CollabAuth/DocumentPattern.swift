/// One entry of a token's `docs` claim: a document id, or a prefix when it ends in `*`.
///
/// Only a trailing `*` is special (`notes-*` matches `notes-` and anything after it, `*`
/// matches every document); any other `*` stands for itself. Matching compares bytes, not
/// Unicode canonical equivalence, so a pattern matches only the exact id it names.
public struct DocumentPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written in the claim.
    public let text: String

    /// A pattern as written in a `docs` claim.
    public init(_ text: String) {
        self.text = text
    }

    /// The pattern that matches every document (`*`).
    public static let any = DocumentPattern("*")

    /// Whether the pattern allows the document `docId`.
    public func matches(_ docId: some StringProtocol) -> Bool {
        let pattern = text.utf8
        if pattern.last == UInt8(ascii: "*") {
            return docId.utf8.starts(with: pattern.dropLast())
        }
        return docId.utf8.elementsEqual(pattern)
    }

    /// Whether some valid document id matches: false for a pattern such as `my notes` or
    /// `notes%20*`, which is surely a mistake when making a token.
    public var canMatchSomeDocument: Bool {
        guard text.utf8.last == UInt8(ascii: "*") else { return DocumentID.isValid(text) }
        let prefix = text.utf8.dropLast()
        // Any valid id extends a valid prefix: append a letter, unless the prefix is already full length.
        guard !prefix.isEmpty else { return true }
        return prefix.count < DocumentID.maximumLength
            && DocumentID.isValid(String(decoding: prefix, as: UTF8.self) + "a")
    }

    /// The pattern as written.
    public var description: String { text }
}
