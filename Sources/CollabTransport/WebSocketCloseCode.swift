/// A close status code (RFC 6455 §7.4 plus the collab.v1 private codes); any value is representable.
public struct WebSocketCloseCode: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The 16-bit value as sent on the wire.
    public let rawValue: UInt16

    /// Wraps any 16-bit value; use `isValidOnWire` to check a received one.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// 1000: normal closure.
    public static let normalClosure = WebSocketCloseCode(rawValue: 1000)
    /// 1001: going away (server shutting down, or a peer that went silent).
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// 1002: protocol error.
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    /// 1003: a data type the endpoint cannot accept.
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    /// 1004: reserved; never valid on the wire.
    public static let reserved = WebSocketCloseCode(rawValue: 1004)
    /// 1005: "no status received"; reported locally for an empty close payload, never sent.
    public static let noStatusReceived = WebSocketCloseCode(rawValue: 1005)
    /// 1006: abnormal closure (no close frame); reported locally, never sent.
    public static let abnormalClosure = WebSocketCloseCode(rawValue: 1006)
    /// 1007: a text message (or close reason) was not valid UTF-8.
    public static let invalidPayloadData = WebSocketCloseCode(rawValue: 1007)
    /// 1008: policy violation.
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    /// 1009: a message over the size limit.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    /// 1010: the client needed an extension the server did not negotiate.
    public static let mandatoryExtension = WebSocketCloseCode(rawValue: 1010)
    /// 1011: internal server error.
    public static let internalError = WebSocketCloseCode(rawValue: 1011)
    /// 1012: service restart.
    public static let serviceRestart = WebSocketCloseCode(rawValue: 1012)
    /// 1013: try again later (collab.v1: slow consumer whose send queue overflowed).
    public static let tryAgainLater = WebSocketCloseCode(rawValue: 1013)
    /// 1015: TLS handshake failure; reported locally, never sent.
    public static let tlsHandshakeFailure = WebSocketCloseCode(rawValue: 1015)

    /// 4000 (collab.v1): replaced by a newer connection with the same `clientId`.
    public static let replaced = WebSocketCloseCode(rawValue: 4000)
    /// 4401 (collab.v1): token expired during the session.
    public static let tokenExpired = WebSocketCloseCode(rawValue: 4401)
    /// 4408 (collab.v1): no `join` in time.
    public static let joinTimeout = WebSocketCloseCode(rawValue: 4408)
    /// 4409 (collab.v1): `version_ahead`.
    public static let versionAhead = WebSocketCloseCode(rawValue: 4409)
    /// 4410 (collab.v1): `version_gone`.
    public static let versionGone = WebSocketCloseCode(rawValue: 4410)
    /// 4404 (a collab extension): the document was deleted (`DELETE /v1/docs/{id}`).
    public static let documentDeleted = WebSocketCloseCode(rawValue: 4404)
    /// 4429 (collab.v1): rate limit exceeded repeatedly.
    public static let rateLimited = WebSocketCloseCode(rawValue: 4429)

    /// Whether a peer may send this code in a close frame (RFC 6455 §7.4.1/§7.4.2).
    ///
    /// Valid: 1000–1003, 1007–1014 and 3000–4999. Everything else — below 1000, 1004,
    /// the local-only 1005/1006/1015, 1016–2999 and 5000 and above — is a protocol error.
    public var isValidOnWire: Bool {
        switch rawValue {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    public var description: String { String(rawValue) }
}
