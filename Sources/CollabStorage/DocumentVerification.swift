/// What `StoreVerifier` found for one document.
public struct DocumentVerification: Equatable, Sendable {
    /// The document id.
    public var doc: String
    /// How many ops replayed cleanly (the version the replay reached).
    public var replayedVersion: Int
    /// How many snapshots were compared with the replay.
    public var snapshotsChecked: Int
    /// Everything wrong, in the order found; empty when the document is intact.
    public var problems: [VerificationProblem]

    /// Makes a result.
    public init(doc: String, replayedVersion: Int, snapshotsChecked: Int, problems: [VerificationProblem]) {
        self.doc = doc
        self.replayedVersion = replayedVersion
        self.snapshotsChecked = snapshotsChecked
        self.problems = problems
    }

    /// True when nothing is wrong.
    public var isIntact: Bool { problems.isEmpty }
}
