/// A node of a rope's B-tree. A leaf (height 0) holds a chunk of UTF-8 bytes that starts
/// and ends on scalar boundaries; an inner node holds 2...maxChildren children of equal
/// height (fewer only at the root). Every node caches the counts of its subtree.
///
/// Nodes are shared between `Rope` values and mutated only while uniquely referenced: each
/// mutating path calls `isKnownUniquelyReferenced` on the way down and copies otherwise.
//
// @unchecked Sendable: a node reachable from two Rope values (hence possibly two threads)
// is never mutated, because every mutation first proves unique ownership; a shared node is
// therefore immutable, the same argument that makes Array's storage Sendable.
final class RopeNode: @unchecked Sendable {
    /// Largest leaf, in bytes. About 1 KB keeps the per-edit memmove short while the tree
    /// stays shallow (a 1 MB text is ~1,500 leaves, three levels).
    static let maxLeafBytes = 1024
    /// Smallest leaf other than a lone root leaf.
    static let minLeafBytes = maxLeafBytes / 4
    /// Largest fan-out of an inner node.
    static let maxChildren = 16
    /// Smallest fan-out of an inner node other than the root.
    static let minChildren = maxChildren / 4

    /// 0 for a leaf; otherwise one more than the children's height.
    let height: Int
    // @exclusivity(unchecked): every access to these is a short read or a mutation of a
    // node this code uniquely owns, never overlapping another access to the same node, so
    // the run-time exclusivity check (a third of the time per keystroke) buys nothing.

    /// Counts for the whole subtree.
    @exclusivity(unchecked) var summary: RopeSummary
    /// The chunk (leaves only).
    @exclusivity(unchecked) var bytes: [UInt8]
    /// The children (inner nodes only).
    @exclusivity(unchecked) var children: [RopeNode]

    init(leaf bytes: [UInt8], summary: RopeSummary) {
        self.height = 0
        self.summary = summary
        self.bytes = bytes
        self.children = []
    }

    convenience init(leaf bytes: [UInt8]) {
        let summary = bytes.withUnsafeBufferPointer { RopeSummary(of: $0) }
        self.init(leaf: bytes, summary: summary)
    }

    init(height: Int, children: [RopeNode]) {
        self.height = height
        var summary = RopeSummary.zero
        for child in children {
            summary += child.summary
        }
        self.summary = summary
        self.bytes = []
        self.children = children
    }

    private init(copying other: RopeNode) {
        self.height = other.height
        self.summary = other.summary
        self.bytes = other.bytes
        self.children = other.children
    }

    /// A shallow copy: the arrays are shared copy-on-write, children stay shared.
    func copy() -> RopeNode {
        RopeNode(copying: self)
    }

    var isLeaf: Bool { height == 0 }

    /// Below the minimum size a non-root node must keep.
    var isUnderfull: Bool {
        isLeaf ? bytes.count < Self.minLeafBytes : children.count < Self.minChildren
    }

    // MARK: - Building

    /// A balanced tree holding valid UTF-8 `utf8`.
    static func build(_ utf8: UnsafeBufferPointer<UInt8>) -> RopeNode {
        let total = utf8.count
        if total <= maxLeafBytes {
            return RopeNode(leaf: Array(utf8))
        }
        // Spread the bytes evenly over the fewest leaves; each cut moves forward (at most
        // 3 bytes) to a scalar boundary, hence the 4-byte slack in the leaf count.
        var leavesLeft = (total + maxLeafBytes - 5) / (maxLeafBytes - 4)
        var leaves: [RopeNode] = []
        leaves.reserveCapacity(leavesLeft)
        var start = 0
        while start < total {
            let remaining = total - start
            var end = leavesLeft <= 1 ? total : start + (remaining + leavesLeft - 1) / leavesLeft
            while end < total && utf8[end] & 0xC0 == 0x80 {
                end += 1
            }
            leaves.append(RopeNode(leaf: Array(utf8[start..<end])))
            leavesLeft -= 1
            start = end
        }
        return build(from: leaves)
    }

    /// A balanced tree over `nodes`, which all have the same height.
    static func build(from nodes: [RopeNode]) -> RopeNode {
        var level = nodes
        while level.count > 1 {
            // Even groups: with two or more groups each holds at least maxChildren / 2.
            let groups = (level.count + maxChildren - 1) / maxChildren
            var next: [RopeNode] = []
            next.reserveCapacity(groups)
            var start = 0
            for group in 1...groups {
                let end = level.count * group / groups
                next.append(RopeNode(height: level[0].height + 1, children: Array(level[start..<end])))
                start = end
            }
            level = next
        }
        return level[0]
    }

    // MARK: - Reading

    /// The index in this leaf's bytes where scalar `offset` starts (the byte count at the end).
    func byteIndex(ofScalar offset: Int) -> Int {
        if summary.isASCII || offset == 0 {
            return offset
        }
        if offset == summary.scalars {
            return bytes.count
        }
        return bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var seen = 0
            var index = 0
            // Eight bytes at a time while the wanted scalar starts after the word: a byte starts
            // a scalar unless it is a continuation byte (10xxxxxx: bit 7 set, bit 6 clear).
            while index + 8 <= buffer.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                let continuations = (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                let starts = 8 - continuations
                if seen + starts > offset { break }
                seen += starts
                index += 8
            }
            while index < buffer.count {
                if buffer[index] & 0xC0 != 0x80 {
                    if seen == offset {
                        return index
                    }
                    seen += 1
                }
                index += 1
            }
            return buffer.count
        }
    }

    /// Calls `body` with each leaf of this subtree, left to right.
    func forEachLeaf<E: Error>(_ body: (RopeNode) throws(E) -> Void) throws(E) {
        if isLeaf {
            try body(self)
            return
        }
        for child in children {
            try child.forEachLeaf(body)
        }
    }

    /// Appends the UTF-8 of scalars `lower..<upper` of this subtree to `out`.
    func appendUTF8(from lower: Int, to upper: Int, into out: inout [UInt8]) {
        if isLeaf {
            out.append(contentsOf: bytes[byteIndex(ofScalar: lower)..<byteIndex(ofScalar: upper)])
            return
        }
        var start = 0
        for child in children {
            let end = start + child.summary.scalars
            if end > lower {
                child.appendUTF8(from: max(lower, start) - start, to: min(upper, end) - start, into: &out)
            }
            if end >= upper {
                return
            }
            start = end
        }
    }

    // MARK: - Inserting

    /// Inserts `piece` (valid UTF-8 of at most maxLeafBytes / 2 bytes, counted by `pieceSummary`)
    /// at scalar `offset` of this subtree. Returns a new right sibling when this node split.
    /// The caller has made this node unique.
    func insert(_ piece: UnsafeBufferPointer<UInt8>, summary pieceSummary: RopeSummary, at offset: Int) -> RopeNode? {
        if isLeaf {
            return insertIntoLeaf(piece, summary: pieceSummary, at: offset)
        }
        summary += pieceSummary
        // Find the child holding `offset`; at a boundary prefer the left child (append).
        var local = offset
        let index = children.withUnsafeBufferPointer { children in
            var index = 0
            let last = children.count - 1
            while index < last {
                let childScalars = children[index].summary.scalars
                if local <= childScalars {
                    break
                }
                local -= childScalars
                index += 1
            }
            return index
        }
        makeChildUnique(index)
        guard let sibling = children[index].insert(piece, summary: pieceSummary, at: local) else {
            return nil
        }
        children.insert(sibling, at: index + 1)
        return children.count > Self.maxChildren ? splitInner() : nil
    }

    private func insertIntoLeaf(_ piece: UnsafeBufferPointer<UInt8>, summary pieceSummary: RopeSummary,
                                at offset: Int) -> RopeNode? {
        let at = byteIndex(ofScalar: offset)
        let oldCount = bytes.count
        if oldCount + piece.count <= Self.maxLeafBytes {
            // Open a gap and copy into it: cheaper than the generic insert(contentsOf:at:).
            bytes.reserveCapacity(Self.maxLeafBytes)
            bytes.append(contentsOf: piece)
            bytes.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!  // non-nil: the array was just made non-empty
                (base + at + piece.count).update(from: base + at, count: oldCount - at)
                (base + at).update(from: piece.baseAddress!, count: piece.count)
            }
            summary += pieceSummary
            return nil
        }
        var combined: [UInt8] = []
        combined.reserveCapacity(oldCount + piece.count)
        combined.append(contentsOf: bytes[..<at])
        combined.append(contentsOf: piece)
        combined.append(contentsOf: bytes[at...])
        let total = summary + pieceSummary
        let cut = Self.scalarBoundary(in: combined, atOrBefore: combined.count / 2)
        let right = RopeNode(leaf: Array(combined[cut...]))
        bytes = Array(combined[..<cut])
        summary = total - right.summary
        return right
    }

    /// The last scalar boundary at or before `index` (which is inside `bytes`).
    static func scalarBoundary(in bytes: [UInt8], atOrBefore index: Int) -> Int {
        var cut = index
        while cut > 0 && bytes[cut] & 0xC0 == 0x80 {
            cut -= 1
        }
        return cut
    }

    private func splitInner() -> RopeNode {
        let half = children.count / 2
        let right = RopeNode(height: height, children: Array(children[half...]))
        children.removeSubrange(half...)
        summary -= right.summary
        return right
    }

    private func makeChildUnique(_ index: Int) {
        if !isKnownUniquelyReferenced(&children[index]) {
            children[index] = children[index].copy()
        }
    }

    // MARK: - Removing

    /// Removes scalars `lower..<upper` of this subtree, a non-empty range that does not
    /// cover the whole subtree. Repairs underfull children; this node itself may end up
    /// underfull, which its parent repairs. The caller has made this node unique.
    func remove(from lower: Int, to upper: Int) {
        if isLeaf {
            let low = byteIndex(ofScalar: lower)
            let high = byteIndex(ofScalar: upper)
            let removed = summary.isASCII
                ? RopeSummary(utf8: high - low, scalars: high - low, newlines: bytes[low..<high].count(where: { $0 == 0x0A }))
                : RopeSummary(of: bytes[low..<high])
            bytes.removeSubrange(low..<high)
            summary -= removed
            return
        }
        var index = 0
        var start = 0
        var firstPartial = -1
        var lastPartial = -1
        while index < children.count && start < upper {
            let end = start + children[index].summary.scalars
            if end <= lower {
                index += 1
            } else if lower <= start && end <= upper {
                summary -= children[index].summary
                children.remove(at: index)
            } else {
                makeChildUnique(index)
                let child = children[index]
                let before = child.summary
                child.remove(from: max(lower, start) - start, to: min(upper, end) - start)
                summary -= before - child.summary
                if firstPartial < 0 {
                    firstPartial = index
                }
                lastPartial = index
                index += 1
            }
            start = end
        }
        // Children removed whole sit between the two partial ones, so repairing the right
        // one first leaves the left one's index valid.
        if lastPartial >= 0 {
            repairChild(at: lastPartial)
        }
        if firstPartial >= 0 && firstPartial != lastPartial {
            repairChild(at: firstPartial)
        }
    }

    /// Merges child `start` with neighbours until it is no longer underfull (or is the only child).
    private func repairChild(at start: Int) {
        var index = start
        while index < children.count && children.count > 1 && children[index].isUnderfull {
            let pair = index > 0 ? index - 1 : index
            mergeChildren(at: pair)
            index = pair
        }
    }

    /// Repairs every child (used after merging inner nodes, whose children may be underfull
    /// where a deletion left a single-child node).
    private func repairAllChildren() {
        var index = 0
        while index < children.count {
            repairChild(at: index)
            index += 1
        }
    }

    /// Joins children `index` and `index + 1` into one, or, when together they exceed the
    /// maximum, shares their contents evenly between them (both then meet the minimum).
    private func mergeChildren(at index: Int) {
        makeChildUnique(index)
        makeChildUnique(index + 1)
        let left = children[index]
        let right = children[index + 1]
        let total = left.summary + right.summary
        if left.isLeaf {
            if left.bytes.count + right.bytes.count <= Self.maxLeafBytes {
                left.bytes.append(contentsOf: right.bytes)
                left.summary = total
                children.remove(at: index + 1)
            } else {
                var combined = left.bytes
                combined.append(contentsOf: right.bytes)
                let cut = Self.scalarBoundary(in: combined, atOrBefore: combined.count / 2)
                right.bytes = Array(combined[cut...])
                right.summary = RopeSummary(of: right.bytes[...])
                left.bytes = Array(combined[..<cut])
                left.summary = total - right.summary
            }
            return
        }
        if left.children.count + right.children.count <= Self.maxChildren {
            left.children.append(contentsOf: right.children)
            left.summary = total
            children.remove(at: index + 1)
            left.repairAllChildren()
        } else {
            var combined = left.children
            combined.append(contentsOf: right.children)
            let half = combined.count / 2
            let rightChildren = Array(combined[half...])
            var rightSummary = RopeSummary.zero
            for child in rightChildren {
                rightSummary += child.summary
            }
            right.children = rightChildren
            right.summary = rightSummary
            left.children = Array(combined[..<half])
            left.summary = total - rightSummary
            left.repairAllChildren()
            right.repairAllChildren()
        }
    }

    // MARK: - Checking

    /// The first broken invariant in this subtree, or nil (for tests).
    func invariantViolation(isRoot: Bool) -> String? {
        if isLeaf {
            let counted = bytes.withUnsafeBufferPointer { RopeSummary(of: $0) }
            if counted != summary { return "leaf summary \(summary) != counted \(counted)" }
            if bytes.count > Self.maxLeafBytes { return "leaf of \(bytes.count) bytes" }
            if !isRoot && bytes.count < Self.minLeafBytes { return "underfull leaf of \(bytes.count) bytes" }
            if let first = bytes.first, first & 0xC0 == 0x80 { return "leaf starts inside a scalar" }
            return nil
        }
        if children.count > Self.maxChildren { return "inner node with \(children.count) children" }
        if isRoot && children.count < 2 { return "root with \(children.count) children" }
        if !isRoot && children.count < Self.minChildren { return "underfull inner node (\(children.count))" }
        var total = RopeSummary.zero
        for child in children {
            if child.height != height - 1 { return "child height \(child.height) under height \(height)" }
            if let problem = child.invariantViolation(isRoot: false) { return problem }
            total += child.summary
        }
        if total != summary { return "inner summary \(summary) != sum \(total)" }
        return nil
    }
}
