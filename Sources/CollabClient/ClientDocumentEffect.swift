import CollabOT

/// What `ClientDocument` asks its driver to do or to report after a step.
public enum ClientDocumentEffect: Sendable, Hashable {
    /// Send this message now.
    case send(OutboundMessage)
    /// The join completed at `version`.
    case joined(version: Int)
    /// A remote op was applied to the local text.
    case remoteEdit(RemoteEdit)
    /// The text was replaced by a snapshot; `discarded` holds local edits that were dropped with it.
    case textReplaced(discarded: TextOperation?)
    /// The op `seq` is durable as `version`.
    case acknowledged(seq: Int, version: Int)
    /// Another client joined or moved its selection.
    case presence(Participant)
    /// Another client left.
    case left(clientId: String)
    /// The server refused the in-flight op for now (`rate_limited`, `op_in_flight`): send it
    /// again later (`resubmission()`).
    case resubmitLater(seq: Int)
    /// The server rejected the in-flight op for good; the local copy was dropped (its pending
    /// edits are `discarded`) and the driver must reconnect to reload the document.
    case rejoinRequired(code: String, message: String, discarded: TextOperation?)
    /// An error message from the server that is not about a pending op.
    case serverError(code: String, message: String, seq: Int?)
}
