import Testing
@testable import CollabTransport
import CollabTestSupport

@Suite struct WebSocketFrameDecoderTests {
    /// RFC 6455 §5.7 examples plus larger lengths, as one stream from a server to a client.
    static let serverStream: [UInt8] =
        [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]                 // "Hello"
        + [0x01, 0x03, 0x48, 0x65, 0x6C, 0x89, 0x00, 0x80, 0x02, 0x6C, 0x6F] // "Hel" ping "lo"
        + [0x8A, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]               // pong "Hello"
        + [0x82, 0x7E, 0x01, 0x00] + [UInt8](repeating: 7, count: 256)
        + [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0] + [UInt8](repeating: 9, count: 65536)

    static let serverStreamFrames: [WebSocketFrame] = [
        WebSocketFrame(opcode: .text, payload: Array("Hello".utf8)),
        WebSocketFrame(fin: false, opcode: .text, payload: Array("Hel".utf8)),
        WebSocketFrame(opcode: .ping),
        WebSocketFrame(opcode: .continuation, payload: Array("lo".utf8)),
        WebSocketFrame(opcode: .pong, payload: Array("Hello".utf8)),
        WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 7, count: 256)),
        WebSocketFrame(opcode: .binary, payload: [UInt8](repeating: 9, count: 65536)),
    ]

    @Test func rfcMaskedHelloExample() {
        let bytes: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        #expect(decode(bytes) == DecodeOutcome(frames: [WebSocketFrame(opcode: .text, payload: Array("Hello".utf8))]))
        #expect(clientFrame(.text, Array("Hello".utf8)) == bytes)
    }

    @Test func clientRoleWholeBytewiseAndTwoWaySplitsAgree() {
        let expected = DecodeOutcome(frames: Self.serverStreamFrames)
        #expect(decode(Self.serverStream, role: .client) == expected)
        #expect(decodeBytewise(Self.serverStream, role: .client) == expected)
        // Every two-way split of the header-heavy prefix.
        for cut in stride(from: 0, through: 340, by: 1) {
            #expect(decode(Self.serverStream, cuts: [cut], role: .client) == expected, "cut \(cut)")
        }
    }

    @Test func serverRoleRandomSplitsAgree() {
        var stream: [UInt8] = []
        var frames: [WebSocketFrame] = []
        var ends: [Int] = []
        for (length, opcode) in [(0, WebSocketOpcode.text), (125, .binary), (126, .binary), (65535, .text),
                                 (65536, .binary), (3, .ping), (0, .pong), (70_001, .binary)] {
            let payload = opcode == .text ? [UInt8](repeating: 0x61, count: length)
                : (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            stream += clientFrame(opcode, payload)
            frames.append(WebSocketFrame(opcode: opcode, payload: payload))
            ends.append(stream.count)
        }
        let expected = DecodeOutcome(frames: frames)
        #expect(decode(stream) == expected)
        let seed: UInt64 = 7
        var rng = SplitMix64(seed: seed)
        for iteration in 0..<200 {
            let cuts = randomCuts(count: stream.count, using: &rng)
            #expect(decode(stream, cuts: cuts) == expected, "seed \(seed) iteration \(iteration) cuts \(cuts)")
        }
        // Bytewise over the part with the small frames.
        let small = Array(stream[..<ends[3]])
        #expect(decodeBytewise(small) == DecodeOutcome(frames: Array(frames.prefix(4))))
    }

    @Test func lengthEncodings() {
        #expect(WebSocketFrameEncoder.header(opcode: .binary, payloadLength: 125) == [0x82, 125])
        #expect(WebSocketFrameEncoder.header(opcode: .binary, payloadLength: 126) == [0x82, 126, 0, 126])
        #expect(WebSocketFrameEncoder.header(opcode: .binary, payloadLength: 65535) == [0x82, 126, 0xFF, 0xFF])
        #expect(WebSocketFrameEncoder.header(opcode: .binary, payloadLength: 65536) == [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0])
        #expect(WebSocketFrameEncoder.header(opcode: .text, payloadLength: 1, fin: false, maskingKey: testKey)
                == [0x01, 0x81, 0x37, 0xFA, 0x21, 0x3D])
        // A 16-bit length field carrying a small value is accepted (minimal encoding is the sender's duty).
        #expect(decode([0x82, 0x7E, 0x00, 0x01, 0x2A], role: .client).frames == [WebSocketFrame(opcode: .binary, payload: [0x2A])])
    }

    @Test(arguments: [
        ([0x81, 0x00], WebSocketProtocolError.unmaskedFrame),
        ([0xC1, 0x80], .reservedBitsSet), ([0xA1, 0x80], .reservedBitsSet), ([0x91, 0x80], .reservedBitsSet),
        ([0x83, 0x80], .unknownOpcode(3)), ([0x87, 0x80], .unknownOpcode(7)), ([0x8B, 0x80], .unknownOpcode(0xB)),
        ([0x09, 0x80], .fragmentedControlFrame),
        ([0x89, 0xFE, 0x00, 0x7E], .controlFrameTooLong(126)), ([0x88, 0xFE, 0x00, 0x7E], .controlFrameTooLong(126)),
        ([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0], .invalidPayloadLength),
        ([0x80, 0x80], .unexpectedContinuation),
        ([0x01, 0x80, 1, 2, 3, 4, 0x81, 0x80], .expectedContinuation),
        ([0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], .messageTooBig(limit: 1 << 20)),
    ] as [([UInt8], WebSocketProtocolError)])
    func headerErrorsFailBeforeAnyPayload(bytes: [UInt8], error: WebSocketProtocolError) {
        let framesBefore = error == .expectedContinuation ? 1 : 0
        for outcome in [decode(bytes), decodeBytewise(bytes)] {
            #expect(outcome.error == error && outcome.frames.count == framesBefore, "\(hex(bytes)): \(outcome)")
        }
    }

    @Test func clientRoleRejectsMaskedFrames() {
        #expect(decode(clientFrame(.text, [0x41]), role: .client).error == .maskedFrame)
    }

    @Test func decoderStaysFailed() throws {
        var decoder = WebSocketFrameDecoder(role: .server)
        decoder.append([0x80, 0x80])
        #expect(throws: WebSocketProtocolError.unexpectedContinuation) { try decoder.next() }
        decoder.append(clientFrame(.text, [0x41]))
        #expect(throws: WebSocketProtocolError.unexpectedContinuation) { try decoder.next() }
    }

    @Test func oversizedMessageIsRefusedFromItsHeaderAlone() {
        // 16,385 announced with a 16,384 limit: refused with nothing of the payload sent.
        #expect(decode([0x81, 0xFE, 0x40, 0x01], maxMessageSize: 16384).error == .messageTooBig(limit: 16384))
        #expect(decode([0x81, 0xFE, 0x40, 0x00], maxMessageSize: 16384).error == nil)
        // The limit applies to the sum of the fragments.
        let stream = clientFrame(.binary, [UInt8](repeating: 1, count: 10000), fin: false)
            + [0x80, 0xFE, 0x19, 0x01]  // 6,401 more: 16,401 in total
        #expect(decode(stream, maxMessageSize: 16384) == DecodeOutcome(
            frames: [WebSocketFrame(fin: false, opcode: .binary, payload: [UInt8](repeating: 1, count: 10000))],
            error: .messageTooBig(limit: 16384)))
        // Control frames interleaved do not count.
        let ok = clientFrame(.binary, [UInt8](repeating: 1, count: 16000), fin: false) + clientFrame(.ping, [UInt8](repeating: 2, count: 125))
            + clientFrame(.continuation, [UInt8](repeating: 1, count: 384))
        #expect(decode(ok, maxMessageSize: 16384).error == nil)
    }

    @Test func textFragmentsSplitMidScalarAreFine() {
        // "é€😀" split inside every scalar across four fragments.
        let bytes = Array("é€😀".utf8)  // C3 A9 | E2 82 AC | F0 9F 98 80
        let stream = clientFrame(.text, [bytes[0]], fin: false)
            + clientFrame(.continuation, Array(bytes[1...3]), fin: false)
            + clientFrame(.continuation, Array(bytes[4...6]), fin: false)
            + clientFrame(.continuation, Array(bytes[7...]))
        let outcome = decodeBytewise(stream)
        #expect(outcome.error == nil)
        var assembler = WebSocketMessageAssembler()
        var messages: [WebSocketMessage] = []
        for frame in outcome.frames {
            if let message = try? assembler.append(frame) { messages.append(message) }
        }
        #expect(messages == [.text("é€😀")])
    }

    @Test func invalidUTF8FailsInTheFragmentThatCarriesIt() {
        let first = clientFrame(.text, Array("ok".utf8) + [0xE2, 0x82], fin: false)  // ends mid-scalar: fine
        #expect(decode(first).error == nil)
        let bad = first + clientFrame(.continuation, [0x41], fin: false)  // 0x41 cannot follow E2 82
        #expect(decode(bad) == DecodeOutcome(frames: [WebSocketFrame(fin: false, opcode: .text, payload: Array("ok".utf8) + [0xE2, 0x82])],
                                             error: .invalidUTF8))
        // Within one frame: fails at the bad byte although the rest of the payload never arrives.
        let partial = Array(clientFrame(.text, [0x41, 0xFF] + [UInt8](repeating: 0x41, count: 100)).prefix(8))
        #expect(decode(partial).error == .invalidUTF8)
        // A scalar still open when the message ends is invalid.
        #expect(decode(first + clientFrame(.continuation, [])).error == .invalidUTF8)
        // Binary messages are not checked.
        #expect(decode(clientFrame(.binary, [0xFF, 0xFE])).error == nil)
    }

    @Test func maskingMatchesBytewiseXorAtEveryPhase() {
        let seed: UInt64 = 99
        var rng = SplitMix64(seed: seed)
        for iteration in 0..<500 {
            let key = WebSocketMaskingKey(value: UInt32.random(in: .min ... .max, using: &rng))
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let phase = Int.random(in: 0...7, using: &rng)
            var masked = bytes
            key.apply(to: &masked, phase: phase)
            let k = key.bytes
            let expected = bytes.enumerated().map { $0.element ^ k[($0.offset + phase) % 4] }
            #expect(masked == expected, "seed \(seed) iteration \(iteration)")
        }
    }

    /// Seeded garbage never crashes, and the outcome does not depend on how the bytes are split.
    @Test func randomGarbageIsSplitInvariant() {
        let seed: UInt64 = 0xBAD5EED
        var rng = SplitMix64(seed: seed)
        let firstBytes: [UInt8] = [0x81, 0x82, 0x01, 0x02, 0x80, 0x00, 0x88, 0x89, 0x8A, 0xC1, 0x83, 0x09]
        for iteration in 0..<20_000 {
            let role: WebSocketRole = Bool.random(using: &rng) ? .server : .client
            var bytes: [UInt8] = []
            if Bool.random(using: &rng) {
                bytes = (0..<Int.random(in: 0...48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                // Plausible frames with small lengths, so the decoder reaches every state.
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes.append(firstBytes[Int.random(in: 0..<firstBytes.count, using: &rng)])
                    let mask: UInt8 = (role == .server) == (Int.random(in: 0..<10, using: &rng) > 0) ? 0x80 : 0
                    let length = Int.random(in: 0...9, using: &rng)
                    bytes.append(mask | (length == 9 ? 126 : UInt8(length)))
                    if length == 9 { bytes += [0, 9] }
                    if mask != 0 { bytes += (0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) } }
                    bytes += (0..<length).map { _ in UInt8.random(in: 0...0xC4, using: &rng) }
                }
            }
            let maxSize = Int.random(in: 0...12, using: &rng)
            let whole = decode(bytes, role: role, maxMessageSize: maxSize)
            let cuts = randomCuts(count: bytes.count, using: &rng)
            let split = decode(bytes, cuts: cuts, role: role, maxMessageSize: maxSize)
            if whole != split {
                Issue.record("seed \(seed) iteration \(iteration) role \(role) bytes \(hex(bytes)) cuts \(cuts): \(whole) vs \(split)")
                return
            }
        }
    }
}
