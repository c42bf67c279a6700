#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text of a document: a copy-on-write B-tree of UTF-8 chunks in which an edit costs
/// about O(log n + edit size). Offsets and counts are Unicode scalar values.
///
/// `insert`, `remove`, `replace` and `substring` trap on out-of-range offsets: they are the
/// trusted internal API. Input from a peer goes through `apply(_:)`, which validates first.
public struct Rope: Sendable {
    var root: RopeNode

    /// An empty rope.
    public init() {
        root = RopeNode(leaf: [], summary: .zero)
    }

    /// A rope holding `string`.
    public init(_ string: String) {
        var string = string
        root = string.withUTF8 { RopeNode.build($0) }
    }

    /// The number of Unicode scalar values.
    public var count: Int { root.summary.scalars }

    /// The number of UTF-8 bytes.
    public var utf8Count: Int { root.summary.utf8 }

    /// The number of line feeds (U+000A).
    public var newlineCount: Int { root.summary.newlines }

    /// True when the rope holds no text.
    public var isEmpty: Bool { root.summary.utf8 == 0 }

    // MARK: - Editing

    /// Inserts `string` before scalar `offset` (0...count, else traps).
    public mutating func insert(_ string: String, at offset: Int) {
        var string = string
        string.withUTF8 { _ = insertUTF8($0, at: offset) }
    }

    /// Removes the scalars in `scalarRange` (within 0...count, else traps).
    public mutating func remove(scalarRange: Range<Int>) {
        precondition(scalarRange.lowerBound >= 0 && scalarRange.upperBound <= count,
                     "Rope.remove: \(scalarRange) is outside 0..<\(count)")
        if scalarRange.isEmpty {
            return
        }
        if scalarRange.count == count {
            self = Rope()
            return
        }
        makeRootUnique()
        root.remove(from: scalarRange.lowerBound, to: scalarRange.upperBound)
        while root.height > 0 && root.children.count == 1 {
            root = root.children[0]
        }
    }

    /// Replaces the scalars in `scalarRange` (within 0...count, else traps) with `string`.
    public mutating func replace(scalarRange: Range<Int>, with string: String) {
        remove(scalarRange: scalarRange)
        insert(string, at: scalarRange.lowerBound)
    }

    /// Inserts valid UTF-8 `utf8` before scalar `offset`; returns the number of scalars inserted.
    @discardableResult
    mutating func insertUTF8(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
        precondition(offset >= 0 && offset <= count, "Rope.insert: offset \(offset) is outside 0...\(count)")
        if utf8.isEmpty {
            return 0
        }
        if root.summary.utf8 == 0 {
            root = RopeNode.build(utf8)
            return root.summary.scalars
        }
        makeRootUnique()
        // A leaf takes at most half a leaf at a time, so a leaf that overflows splits into
        // exactly two; long text is inserted piece by piece.
        let pieceLimit = RopeNode.maxLeafBytes / 2
        var position = offset
        var start = 0
        while start < utf8.count {
            var end = min(start + pieceLimit, utf8.count)
            while end < utf8.count && utf8[end] & 0xC0 == 0x80 {
                end -= 1
            }
            let piece = UnsafeBufferPointer(rebasing: utf8[start..<end])
            let pieceSummary = RopeSummary(of: piece)
            if let sibling = root.insert(piece, summary: pieceSummary, at: position) {
                root = RopeNode(height: root.height + 1, children: [root, sibling])
            }
            position += pieceSummary.scalars
            start = end
        }
        return position - offset
    }

    private mutating func makeRootUnique() {
        if !isKnownUniquelyReferenced(&root) {
            root = root.copy()
        }
    }

    // MARK: - Operations

    /// Applies `op`. It is checked against `count` before anything changes (including a
    /// trailing skip its normal form dropped), so on error the rope is untouched.
    public mutating func apply(_ op: TextOperation) throws(TextOperationError) {
        try op.check(documentLength: count)
        var position = 0
        for component in op.components {
            switch component {
            case .retain(let n):
                position += n
            case .insert(let text):
                var text = text
                position += text.withUTF8 { insertUTF8($0, at: position) }
            case .delete(let n):
                remove(scalarRange: position..<(position + n))
            }
        }
    }

    /// Byte equality through memcmp (fast in debug builds too, where generic code is slow).
    static func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let left = a.baseAddress, let right = b.baseAddress else { return true }
        return memcmp(left, right, a.count) == 0
    }

    // MARK: - Reading

    /// The text of the scalars in `scalarRange` (within 0...count, else traps).
    public func substring(scalarRange: Range<Int>) -> String {
        precondition(scalarRange.lowerBound >= 0 && scalarRange.upperBound <= count,
                     "Rope.substring: \(scalarRange) is outside 0..<\(count)")
        if scalarRange.isEmpty {
            return ""
        }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(scalarRange.count)
        root.appendUTF8(from: scalarRange.lowerBound, to: scalarRange.upperBound, into: &utf8)
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Calls `body` with each chunk of the text's UTF-8, in order; no chunk is empty and no
    /// chunk splits a scalar. The buffer is valid only during the call.
    public func forEachChunk<E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> Void) throws(E) {
        try root.forEachLeaf { (leaf: RopeNode) throws(E) in
            guard !leaf.bytes.isEmpty else { return }
            let result: Result<Void, E> = leaf.bytes.withUnsafeBufferPointer { buffer in
                do throws(E) {
                    try body(buffer)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            try result.get()
        }
    }

    /// The text's UTF-8 in chunks, in order, without copying the text.
    public var utf8Chunks: Chunks { Chunks(root: root) }

    /// True when the rope holds exactly `string`, compared without building a String.
    public func isEqual(to string: String) -> Bool {
        var string = string
        return string.withUTF8 { utf8 in
            guard utf8.count == utf8Count else { return false }
            var offset = 0
            var equal = true
            root.forEachLeaf { (leaf: RopeNode) in
                guard equal else { return }
                let chunkCount = leaf.bytes.count
                equal = leaf.bytes.withUnsafeBufferPointer { chunk in
                    Self.bytesEqual(chunk, UnsafeBufferPointer(rebasing: utf8[offset..<(offset + chunkCount)]))
                }
                offset += chunkCount
            }
            return equal
        }
    }
}

extension Rope: Equatable {
    /// True when both ropes hold the same text (chunk boundaries may differ).
    public static func == (lhs: Rope, rhs: Rope) -> Bool {
        if lhs.root === rhs.root {
            return true
        }
        guard lhs.root.summary == rhs.root.summary else {
            return false
        }
        var other = rhs.utf8Chunks.makeIterator()
        var pending: ArraySlice<UInt8> = []
        var equal = true
        lhs.root.forEachLeaf { (leaf: RopeNode) in
            var mine = leaf.bytes[...]
            while equal && !mine.isEmpty {
                if pending.isEmpty {
                    guard let next = other.next() else {
                        equal = false
                        return
                    }
                    pending = next[...]
                }
                let step = min(mine.count, pending.count)
                let same = mine.prefix(step).withUnsafeBufferPointer { a in
                    pending.prefix(step).withUnsafeBufferPointer { b in Rope.bytesEqual(a, b) }
                }
                if !same {
                    equal = false
                }
                mine = mine.dropFirst(step)
                pending = pending.dropFirst(step)
            }
        }
        return equal
    }
}

extension Rope: CustomStringConvertible {
    /// The whole text.
    public var description: String { String(self) }
}

extension Rope: ExpressibleByStringLiteral {
    /// A rope holding the literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }
}

extension String {
    /// The whole text of `rope`.
    public init(_ rope: Rope) {
        let total = rope.utf8Count
        self.init(unsafeUninitializedCapacity: total) { buffer in
            var written = 0
            rope.forEachChunk { chunk in
                let target = UnsafeMutableBufferPointer(rebasing: buffer[written..<(written + chunk.count)])
                _ = target.initialize(from: chunk)
                written += chunk.count
            }
            return written
        }
    }
}
