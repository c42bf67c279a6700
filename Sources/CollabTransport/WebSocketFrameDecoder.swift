/// Resumable, role-aware RFC 6455 frame parser: feed bytes split anywhere, pull frames out.
///
/// Besides framing it enforces the rules that can be checked before a payload is buffered —
/// masking by role, reserved bits, opcodes, control-frame limits, fragment sequencing and the
/// message size limit (summed over fragments) — and validates text payloads as UTF-8 while
/// they arrive, so a bad byte fails the stream at once rather than at the end of the message.
/// Frames come out unmasked. After an error every call throws that same error.
public struct WebSocketFrameDecoder {
    /// Which end this decoder parses for: a server requires masked frames, a client forbids them.
    public let role: WebSocketRole
    /// Largest message accepted, summed over fragments.
    public let maxMessageSize: Int

    private enum State {
        case idle
        case haveFirstByte(FrameHeader)
        case waitingForLength(FrameHeader, lengthByteCount: Int)
        case waitingForMask(FrameHeader)
        case waitingForPayload(FrameHeader)
        case failed(WebSocketProtocolError)
    }

    private struct FrameHeader {
        var fin: Bool
        var opcode: WebSocketOpcode
        var masked = false
        var length = 0
        var maskingKey: WebSocketMaskingKey?
    }

    /// A text or binary message whose frames are being read.
    private struct OpenMessage {
        var isText: Bool
        var size: Int
    }

    private enum StepResult {
        case needMoreData
        case continueParsing
        case frame(WebSocketFrame)
    }

    private var state: State = .idle
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var payload: [UInt8] = []
    private var openMessage: OpenMessage?
    private var textValidator = UTF8Validator()

    /// Creates a decoder for `role` accepting messages up to `maxMessageSize` bytes (default 1 MiB).
    public init(role: WebSocketRole, maxMessageSize: Int = 1 << 20) {
        self.role = role
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes received but not yet consumed into a frame (at most a partial header).
    public var bufferedByteCount: Int { buffer.count - readIndex }

    // MARK: - Inbound

    /// Adds received bytes; call `next()` until it returns nil afterwards.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes; call `next()` until it returns nil afterwards.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, nil if more bytes are needed, or the protocol violation found.
    public mutating func next() throws(WebSocketProtocolError) -> WebSocketFrame? {
        while true {
            let result: StepResult
            do {
                result = try step()
            } catch {
                state = .failed(error)
                buffer = []
                readIndex = 0
                payload = []
                throw error
            }
            switch result {
            case .continueParsing:
                continue
            case .frame(let frame):
                return frame
            case .needMoreData:
                compact()
                return nil
            }
        }
    }

    private mutating func step() throws(WebSocketProtocolError) -> StepResult {
        switch state {
        case .failed(let error):
            throw error

        case .idle:
            guard let b0 = readByte() else { return .needMoreData }
            guard b0 & 0x70 == 0 else { throw .reservedBitsSet }
            let opcode = WebSocketOpcode(rawValue: b0 & 0x0F) ?? .continuation
            guard opcode.isKnown else { throw .unknownOpcode(opcode.rawValue) }
            let fin = b0 & 0x80 != 0
            if opcode.isControl {
                guard fin else { throw .fragmentedControlFrame }
            } else if opcode == .continuation {
                guard openMessage != nil else { throw .unexpectedContinuation }
            } else {
                guard openMessage == nil else { throw .expectedContinuation }
            }
            state = .haveFirstByte(FrameHeader(fin: fin, opcode: opcode))
            return .continueParsing

        case .haveFirstByte(var header):
            guard let b1 = readByte() else { return .needMoreData }
            header.masked = b1 & 0x80 != 0
            switch role {
            case .server: guard header.masked else { throw .unmaskedFrame }
            case .client: guard !header.masked else { throw .maskedFrame }
            }
            switch b1 & 0x7F {
            case 126:
                state = .waitingForLength(header, lengthByteCount: 2)
            case 127:
                state = .waitingForLength(header, lengthByteCount: 8)
            case let short:
                header.length = Int(short)
                try lengthKnown(header)
            }
            return .continueParsing

        case .waitingForLength(var header, let byteCount):
            guard bufferedByteCount >= byteCount else { return .needMoreData }
            var length: UInt64 = 0
            for i in 0..<byteCount { length = length << 8 | UInt64(buffer[readIndex + i]) }
            readIndex += byteCount
            guard length & (1 << 63) == 0 else { throw .invalidPayloadLength }
            header.length = Int(length)
            try lengthKnown(header)
            return .continueParsing

        case .waitingForMask(var header):
            guard bufferedByteCount >= 4 else { return .needMoreData }
            header.maskingKey = WebSocketMaskingKey(buffer[readIndex], buffer[readIndex + 1],
                                                    buffer[readIndex + 2], buffer[readIndex + 3])
            readIndex += 4
            startPayload(header)
            return .continueParsing

        case .waitingForPayload(let header):
            let wanted = header.length - payload.count
            let take = min(wanted, bufferedByteCount)
            if take > 0 {
                let start = payload.count
                payload.append(contentsOf: buffer[readIndex ..< readIndex + take])
                readIndex += take
                let validatesText = !header.opcode.isControl && openMessage?.isText == true
                var validator = textValidator
                let valid = payload.withUnsafeMutableBytes { all in
                    let fresh = UnsafeMutableRawBufferPointer(rebasing: all[start...])
                    header.maskingKey?.apply(to: fresh, phase: start)
                    return !validatesText || validator.validate(UnsafeRawBufferPointer(fresh))
                }
                textValidator = validator
                guard valid else { throw .invalidUTF8 }
            }
            guard payload.count == header.length else { return .needMoreData }
            return .frame(try finishFrame(header))
        }
    }

    /// Checks what depends on the payload length, before any payload is buffered.
    private mutating func lengthKnown(_ header: FrameHeader) throws(WebSocketProtocolError) {
        if header.opcode.isControl {
            guard header.length <= 125 else { throw .controlFrameTooLong(header.length) }
        } else {
            let soFar = header.opcode == .continuation ? (openMessage?.size ?? 0) : 0
            guard header.length <= maxMessageSize - soFar else {
                throw .messageTooBig(limit: maxMessageSize)
            }
            if header.opcode == .continuation {
                openMessage?.size = soFar + header.length
            } else {
                let isText = header.opcode == .text
                openMessage = OpenMessage(isText: isText, size: header.length)
                if isText { textValidator = UTF8Validator() }
            }
        }
        if header.masked {
            state = .waitingForMask(header)
        } else {
            startPayload(header)
        }
    }

    private mutating func startPayload(_ header: FrameHeader) {
        payload = []
        // Reserve what the header announces, but not more than 64 KiB up front, so a peer
        // cannot make us allocate a whole message's worth by sending only a header.
        payload.reserveCapacity(min(header.length, 1 << 16))
        state = .waitingForPayload(header)
    }

    private mutating func finishFrame(_ header: FrameHeader) throws(WebSocketProtocolError) -> WebSocketFrame {
        if !header.opcode.isControl, header.fin {
            if openMessage?.isText == true, !textValidator.isComplete { throw .invalidUTF8 }
            openMessage = nil
        }
        let frame = WebSocketFrame(fin: header.fin, opcode: header.opcode, payload: payload)
        payload = []
        state = .idle
        return frame
    }

    private mutating func readByte() -> UInt8? {
        guard readIndex < buffer.count else { return nil }
        defer { readIndex += 1 }
        return buffer[readIndex]
    }

    /// Drops consumed bytes; only a partial header (under 14 bytes) can be left over.
    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            // A buffer grown by a burst is let go, so an idle connection keeps only a small one.
            buffer.removeAll(keepingCapacity: buffer.capacity <= 4_096)
        } else {
            buffer.removeFirst(readIndex)
        }
        readIndex = 0
    }
}

@available(*, unavailable)
extension WebSocketFrameDecoder: Sendable {}
