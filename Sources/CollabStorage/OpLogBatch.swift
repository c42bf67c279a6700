/// What one write transaction has done to each document so far, so the `documents` row is
/// read once and written once per document per transaction, however many appends it holds.
struct OpLogBatch {
    struct Document {
        /// The next version (the document's version after the ops so far).
        var version: Int
        var length = 0
        var createdAt: Int64
        var updatedAt: Int64 = 0
        var authorsSeen: Set<String> = []
        var newAuthors = 0

        init(version: Int, createdAt: Int64) {
            self.version = version
            self.createdAt = createdAt
        }
    }

    var documents: [String: Document] = [:]
    /// Documents in first-touched order (deterministic writes).
    var order: [String] = []
}
