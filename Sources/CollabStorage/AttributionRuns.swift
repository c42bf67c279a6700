import CollabOT

/// Which op wrote each character of a text, run-length encoded: runs of consecutive
/// characters written by the same op, kept in blocks so an edit costs O(blocks + block size)
/// rather than O(runs) — a document typed one keystroke at a time has one run per keystroke.
struct AttributionRuns {
    /// `length` consecutive scalars written by the op stored as `version`.
    struct Run: Equatable {
        var length: Int
        var version: Int
    }

    /// A block is split when it grows past this many runs.
    static let maxBlockRuns = 256

    private(set) var blocks: [[Run]] = []
    private var blockLengths: [Int] = []
    /// The number of scalars attributed.
    private(set) var count = 0
    /// The block the last edit was in and the offset it starts at: edits cluster (typing), so
    /// the next one is usually found there without scanning the blocks before it.
    private var cachedBlock = 0
    private var cachedBlockStart = 0

    /// Applies `op`, attributing what it inserts to `version`. Checked first: on error nothing changed.
    mutating func apply(_ op: TextOperation, version: Int) throws(TextOperationError) {
        try op.check(documentLength: count)
        var position = 0
        for component in op.components {
            switch component {
            case .retain(let n):
                position += n
            case .insert(let text):
                let length = text.unicodeScalars.count
                insert(Run(length: length, version: version), at: position)
                position += length
            case .delete(let n):
                remove(from: position, length: n)
            }
        }
    }

    /// Every run, in text order (adjacent runs may share a version).
    var runs: [Run] {
        blocks.flatMap { $0 }
    }

    /// Inserts `run` before scalar `offset` (0...count).
    mutating func insert(_ run: Run, at offset: Int) {
        guard run.length > 0 else { return }
        count += run.length
        guard !blocks.isEmpty else {
            blocks = [[run]]
            blockLengths = [run.length]
            return
        }
        let (block, inBlock) = locate(offset, forInsert: true)
        blockLengths[block] += run.length
        Self.insert(run, at: inBlock, into: &blocks[block])
        if blocks[block].count > Self.maxBlockRuns {
            let half = blocks[block].count / 2
            let tail = Array(blocks[block][half...])
            blocks[block].removeSubrange(half...)
            let tailLength = tail.reduce(0) { $0 + $1.length }
            blockLengths[block] -= tailLength
            blocks.insert(tail, at: block + 1)
            blockLengths.insert(tailLength, at: block + 1)
        }
    }

    /// The block holding scalar `offset` and the offset within it. For an insert, an offset at
    /// a block's end may stay in that block (and `count` is the end of the last block).
    private mutating func locate(_ offset: Int, forInsert: Bool) -> (block: Int, offset: Int) {
        if cachedBlock < blocks.count, offset >= cachedBlockStart {
            let inBlock = offset - cachedBlockStart
            if inBlock < blockLengths[cachedBlock] || (forInsert && inBlock == blockLengths[cachedBlock]) {
                return (cachedBlock, inBlock)
            }
        }
        var start = 0
        for (index, length) in blockLengths.enumerated() {
            if offset - start < length || (forInsert && index == blockLengths.count - 1) {
                cachedBlock = index
                cachedBlockStart = start
                return (index, offset - start)
            }
            start += length
        }
        preconditionFailure("offset \(offset) is outside 0...\(count)")
    }

    private static func insert(_ run: Run, at offset: Int, into runs: inout [Run]) {
        var index = 0
        var position = 0
        while index < runs.count, position + runs[index].length <= offset {
            position += runs[index].length
            index += 1
        }
        if index < runs.count, position < offset {
            // Split the run the offset falls inside.
            let left = offset - position
            let right = Run(length: runs[index].length - left, version: runs[index].version)
            runs[index].length = left
            runs.insert(right, at: index + 1)
            index += 1
        }
        if index > 0, runs[index - 1].version == run.version {
            runs[index - 1].length += run.length
        } else if index < runs.count, runs[index].version == run.version {
            runs[index].length += run.length
        } else {
            runs.insert(run, at: index)
        }
    }

    /// Removes `length` scalars starting at `offset` (the range must be within 0...count).
    mutating func remove(from offset: Int, length: Int) {
        var remaining = length
        while remaining > 0 {
            let (block, inBlock) = locate(offset, forInsert: false)
            let taken = min(remaining, blockLengths[block] - inBlock)
            Self.remove(from: inBlock, length: taken, in: &blocks[block])
            blockLengths[block] -= taken
            count -= taken
            remaining -= taken
            if blockLengths[block] == 0 {
                blocks.remove(at: block)
                blockLengths.remove(at: block)
            }
        }
    }

    private static func remove(from offset: Int, length: Int, in runs: inout [Run]) {
        let end = offset + length
        var kept: [Run] = []
        kept.reserveCapacity(runs.count)
        var position = 0
        for run in runs {
            let runEnd = position + run.length
            let overlap = max(0, min(runEnd, end) - max(position, offset))
            let left = run.length - overlap
            position = runEnd
            guard left > 0 else { continue }
            if let last = kept.last, last.version == run.version {
                kept[kept.count - 1].length += left
            } else {
                kept.append(Run(length: left, version: run.version))
            }
        }
        runs = kept
    }
}
