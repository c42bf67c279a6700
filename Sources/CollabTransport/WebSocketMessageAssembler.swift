/// Joins data frames (text, binary, continuation) into messages.
///
/// Meant to be fed by `WebSocketFrameDecoder`, which already enforces the size limit and
/// validates text as UTF-8 while it arrives; the sequencing rules are checked again here so the
/// type is correct on its own. Control frames are not its business: deliver them as they come.
public struct WebSocketMessageAssembler {
    private var fragments: [UInt8] = []
    private var openIsText: Bool?

    /// Creates an assembler with no message in progress.
    public init() {}

    /// Whether a fragmented message has started and not finished.
    public var hasOpenMessage: Bool { openIsText != nil }

    /// Adds a data frame; returns the message it completes, if any.
    public mutating func append(_ frame: WebSocketFrame) throws(WebSocketProtocolError) -> WebSocketMessage? {
        let isText: Bool
        switch frame.opcode {
        case .text, .binary:
            guard openIsText == nil else { throw .expectedContinuation }
            isText = frame.opcode == .text
            if frame.fin {
                // The common case: a single-frame message, no copy.
                return try Self.message(isText: isText, payload: frame.payload)
            }
            openIsText = isText
            fragments = frame.payload
            return nil
        case .continuation:
            guard let open = openIsText else { throw .unexpectedContinuation }
            isText = open
            fragments.append(contentsOf: frame.payload)
            guard frame.fin else { return nil }
            let payload = fragments
            fragments = []
            openIsText = nil
            return try Self.message(isText: isText, payload: payload)
        default:
            return nil
        }
    }

    private static func message(isText: Bool, payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketMessage {
        guard isText else { return .binary(payload) }
        guard let text = String(validating: payload, as: UTF8.self) else { throw .invalidUTF8 }
        return .text(text)
    }
}

@available(*, unavailable)
extension WebSocketMessageAssembler: Sendable {}
