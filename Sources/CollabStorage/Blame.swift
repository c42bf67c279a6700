import CollabOT

/// Who last wrote each line of a document, derived from its op log.
///
/// The rule: every character of the text is attributed to the op that inserted it (ops only
/// insert and delete, so a character never changes after it is written). A line is its
/// characters up to and including its line feed; it is attributed to the newest op (highest
/// version) among them. So typing inside a line, or splitting a line with a line feed, makes
/// the op the line's author, while a deletion inside a line does not (the characters left
/// were written before): deleting the line feed that joins two lines leaves each part with its
/// own characters and the joined line takes the newer of the two. A text ending in a line feed
/// has no empty last line.
public enum Blame {
    /// The current text of `doc`, line by line, each with the op that last wrote it.
    ///
    /// Replays the whole op log (snapshots carry no attribution); throws as a replay does.
    public static func lines(store: any OpStore, doc: String) throws(DocumentHistoryError) -> [BlameLine] {
        let history = DocumentHistory(store: store, doc: doc)
        let current = try history.currentVersion()
        var text = Rope()
        var runs = AttributionRuns()
        var users: [String] = []
        var userIndex: [String: Int] = [:]
        var authors: [(user: Int, ts: Int64)] = []
        authors.reserveCapacity(current)
        // A compacted document starts from its snapshot at the horizon, all of it attributed to
        // one entry: version H - 1, user "before version H", the time of the snapshot.
        let horizon = try storage { () throws(StorageError) in try store.horizon(doc: doc) }
        if horizon > 0 {
            text = try history.text(atVersion: horizon)
            let snapshot = try storage { () throws(StorageError) in try store.latestSnapshot(doc: doc, atOrBefore: horizon) }
            users.append("before version \(horizon)")
            authors = Array(repeating: (0, snapshot?.createdAt ?? 0), count: horizon)
            do throws(TextOperationError) {
                var seed = TextOperation()
                seed.insert(String(text))
                try runs.apply(seed, version: horizon - 1)
            } catch {
                throw .opDoesNotApply(doc: doc, version: horizon, error)
            }
        }
        try history.replay(from: horizon, to: current) { (record, operation) throws(DocumentHistoryError) in
            do throws(TextOperationError) {
                try text.apply(operation)
                try runs.apply(operation, version: record.version)
            } catch {
                throw .opDoesNotApply(doc: doc, version: record.version, error)
            }
            let index: Int
            if let known = userIndex[record.user] {
                index = known
            } else {
                index = users.count
                users.append(record.user)
                userIndex[record.user] = index
            }
            authors.append((index, record.ts))
        }

        var lines: [BlameLine] = []
        let string = String(text)
        let scalars = string.unicodeScalars
        var lineStart = scalars.startIndex
        var newest = -1
        var runIterator = runs.runs.makeIterator()
        var run = AttributionRuns.Run(length: 0, version: -1)
        func emit(upTo end: String.UnicodeScalarView.Index) {
            let author = authors[newest]
            lines.append(BlameLine(number: lines.count + 1, text: String(scalars[lineStart..<end]),
                                   version: newest, user: users[author.user], ts: author.ts))
        }
        var index = scalars.startIndex
        while index < scalars.endIndex {
            while run.length == 0, let next = runIterator.next() {
                run = next
            }
            newest = max(newest, run.version)
            run.length -= 1
            let scalar = scalars[index]
            if scalar == "\n" {
                emit(upTo: index)
                index = scalars.index(after: index)
                lineStart = index
                newest = -1
            } else {
                index = scalars.index(after: index)
            }
        }
        if lineStart < scalars.endIndex {
            emit(upTo: scalars.endIndex)
        }
        return lines
    }

    private static func storage<T>(_ body: () throws(StorageError) -> T) throws(DocumentHistoryError) -> T {
        do {
            return try body()
        } catch {
            throw .storage(error)
        }
    }
}
