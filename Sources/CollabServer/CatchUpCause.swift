/// Why a room took in ops another writer stored (for the metrics).
enum CatchUpCause {
    /// Its append met a version conflict.
    case conflict
    /// A poll (or a join, or another node's presence) found the stored version ahead.
    case storedHead
    /// Another node's commit notice carried them (no read).
    case notice
    /// Notices left a gap (one lost, or one without records), read after waiting for it.
    case noticeGap
}
