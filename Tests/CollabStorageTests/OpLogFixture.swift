import CollabJSON
import CollabOT
@testable import CollabStorage
import CollabTestSupport

/// Builds a consistent op log for one document from ops, keeping the text as a plain String
/// (the model the store's replays are checked against).
struct OpLogFixture {
    let doc: String
    private(set) var text = ""
    private(set) var texts: [String] = [""]  // texts[v]: the text at version v
    private(set) var records: [OpRecord] = []
    var ts: Int64 = 1_763_800_000_000

    init(doc: String) {
        self.doc = doc
    }

    /// Appends `op` by `user`, one second after the previous op.
    mutating func add(_ op: TextOperation, user: String = "ada", client: String = "client-ada") {
        let deleted = (try? op.deletedText(in: text)) ?? []
        guard let next = try? op.apply(to: text) else {
            preconditionFailure("fixture op \(op) does not fit a text of \(text.unicodeScalars.count)")
        }
        text = next
        texts.append(next)
        ts += 1_000
        let seq = records.filter { $0.clientId == client }.count + 1
        records.append(OpRecord(doc: doc, version: records.count, clientId: client, seq: seq, user: user,
                                ts: ts, length: next.unicodeScalars.count, opJSON: op.json.jsonString,
                                deletedJSON: JSONValue.array(deleted.map { .string($0) }).jsonString))
    }

    /// Appends an op made of `components` (retain / insert / delete).
    mutating func add(_ components: [TextOperation.Component], user: String = "ada",
                      client: String = "client-ada") {
        add(TextOperation(unchecked: components), user: user, client: client)
    }

    /// A random op fitting the current text: a few retains, inserts (with newlines, accents and
    /// astral scalars) and deletes; now and then the no-op that transformation can produce.
    static func randomOp(length: Int, using random: inout SplitMix64) -> TextOperation {
        if random.next() % 50 == 0 { return .noop }
        let pieces = ["a", "bc", "\n", "é", "😀", "line\n", "xyz", " ", "\r\n", "漢字"]
        var op = TextOperation()
        var position = 0
        for _ in 0..<Int(random.next() % 3 + 1) {
            let skip = Int(random.next() % UInt64(length - position + 1))
            op.retain(skip)
            position += skip
            if random.next() % 2 == 0 || position == length {
                var inserted = ""
                for _ in 0..<Int(random.next() % 4 + 1) {
                    inserted += pieces[Int(random.next() % UInt64(pieces.count))]
                }
                op.insert(inserted)
            } else {
                let count = Int(random.next() % UInt64(min(8, length - position))) + 1
                op.delete(count)
                position += count
            }
        }
        return op
    }
}
