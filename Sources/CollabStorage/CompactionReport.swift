/// What `SQLiteOpStore.compact` did to one document.
public struct CompactionReport: Equatable, Sendable {
    /// The document.
    public var doc: String
    /// The horizon before and after (equal when nothing was folded).
    public var previousHorizon: Int
    public var horizon: Int
    /// Ops and snapshots removed, and the bytes of op and snapshot text they held.
    public var opsRemoved: Int
    public var snapshotsRemoved: Int
    public var bytesRemoved: Int

    public init(doc: String, previousHorizon: Int, horizon: Int, opsRemoved: Int, snapshotsRemoved: Int,
                bytesRemoved: Int) {
        self.doc = doc
        self.previousHorizon = previousHorizon
        self.horizon = horizon
        self.opsRemoved = opsRemoved
        self.snapshotsRemoved = snapshotsRemoved
        self.bytesRemoved = bytesRemoved
    }
}
