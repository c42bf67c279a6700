@testable import CollabOT
import CollabTestSupport

/// SplitMix64 plus generators of documents and operations for the OT property tests.
///
/// Every case is made from its own seed, printed on failure, so it can be replayed alone.
struct TextOperationTestRandom {
    private var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 {
        generator.next()
    }

    /// A number in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// Pieces text is made of: ASCII, precomposed and combining accents, CJK, emoji with
    /// ZWJ sequences and skin tones, flags, CRLF, a NUL. Several are many scalars in one
    /// Character, so random scalar positions cut through grapheme clusters.
    static let pieces: [String] = [
        "a", "b", "c", " ", "x", "é", "e\u{301}", "日", "本語", "👍", "👍🏽",
        "👨\u{200D}👩\u{200D}👧", "🇫🇷", "🇯🇵", "\r\n", "\n", "\u{0}", "ß", "\u{FEFF}", "𝄞",
    ]

    mutating func text(pieces count: Int) -> String {
        var text = ""
        for _ in 0..<count { text += Self.pieces[int(0...(Self.pieces.count - 1))] }
        return text
    }

    mutating func document() -> String { text(pieces: int(0...12)) }

    /// A valid operation on a document of `length` scalars, made with the builder.
    /// It may stop before the end (implicit trailing retain) and may be the no-op.
    mutating func operation(documentLength length: Int) -> TextOperation {
        var operation = TextOperation()
        for component in components(documentLength: length) {
            switch component {
            case .retain(let count): operation.retain(count)
            case .insert(let text): operation.insert(text)
            case .delete(let count): operation.delete(count)
            }
        }
        return operation
    }

    /// Valid but not normalized components on a document of `length` scalars: kinds
    /// repeat, deletes come before inserts, trailing retains appear.
    mutating func components(documentLength length: Int) -> [TextOperation.Component] {
        var components: [TextOperation.Component] = []
        var remaining = length
        for _ in 0..<int(0...7) {
            switch int(0...2) {
            case 0 where remaining > 0:
                let count = int(1...remaining)
                components.append(.retain(count))
                remaining -= count
            case 1 where remaining > 0:
                let count = int(1...min(remaining, 4))
                components.append(.delete(count))
                remaining -= count
            default:
                components.append(.insert(text(pieces: int(1...3))))
            }
        }
        return components
    }
}

/// The reference model: applies components to an array of scalars, one at a time.
/// Each scalar carries the offset it had in the original document (nil: inserted).
enum TextOperationReference {
    struct TaggedScalar: Equatable {
        var scalar: Unicode.Scalar
        var origin: Int?
    }

    static func tagged(_ text: String) -> [TaggedScalar] {
        text.unicodeScalars.enumerated().map { TaggedScalar(scalar: $0.element, origin: $0.offset) }
    }

    /// nil when the components reach past the end.
    static func apply(_ components: [TextOperation.Component], to document: [TaggedScalar]) -> [TaggedScalar]? {
        var result: [TaggedScalar] = []
        var index = 0
        for component in components {
            switch component {
            case .retain(let count):
                guard index + count <= document.count else { return nil }
                result += document[index..<(index + count)]
                index += count
            case .insert(let text):
                result += text.unicodeScalars.map { TaggedScalar(scalar: $0, origin: nil) }
            case .delete(let count):
                guard index + count <= document.count else { return nil }
                index += count
            }
        }
        return result + document[index...]
    }

    static func apply(_ components: [TextOperation.Component], to text: String) -> String? {
        guard let scalars = apply(components, to: tagged(text)) else { return nil }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars.map(\.scalar))
        return result
    }
}
