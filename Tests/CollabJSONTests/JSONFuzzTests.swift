import Testing
import CollabJSON
import CollabTestSupport

/// Bytes that make random input likely to get deep into the reader.
private let interestingBytes = utf8(#"{}[]:,"\/u0123456789-+.eEtrufalsnbDdCcFf "#) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xED, 0xA0, 0xF0, 0x9F, 0xFF]

/// Checks what must hold for any input: no crash, and either an error with an
/// offset inside the input, or a value that writes and reads back the same.
private func checkSurvives(_ bytes: [UInt8], seed: UInt64, iteration: Int) -> Bool {
    do {
        let value = try JSONReader.parse(bytes)
        let rewritten = value.encoded()
        let reread = try JSONReader.parse(rewritten)
        #expect(reread == replacingLoneSurrogateStrings(value), "seed \(seed) iteration \(iteration): \(bytes)")
        return true
    } catch {
        #expect((0...bytes.count).contains(error.offset), "seed \(seed) iteration \(iteration): \(error) for \(bytes)")
        return false
    }
}

@Suite struct JSONFuzzTests {
    @Test func randomGarbageNeverCrashes() {
        let seed: UInt64 = 0xF022_0001
        var random = SplitMix64(seed: seed)
        var accepted = 0
        for iteration in 0..<25_000 {
            let length = Int(random.next() % 48)
            let bytes = (0..<length).map { _ in
                random.next() % 4 == 0
                    ? UInt8(truncatingIfNeeded: random.next())
                    : interestingBytes[Int(random.next() % UInt64(interestingBytes.count))]
            }
            if checkSurvives(bytes, seed: seed, iteration: iteration) { accepted += 1 }
        }
        // Garbage is almost never JSON; a reader that accepted much of it would be lax.
        #expect(accepted < 2_500, "seed \(seed): accepted \(accepted)")
    }

    @Test func mutatedMessagesNeverCrash() {
        let seed: UInt64 = 0xF022_0002
        var random = SplitMix64(seed: seed)
        let messages = contractMessages.map { utf8($0.input) }
        var accepted = 0
        for iteration in 0..<30_000 {
            var bytes = messages[Int(random.next() % UInt64(messages.count))]
            for _ in 0...(random.next() % 3) {
                let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
                let replacement = random.next() % 3 == 0
                    ? UInt8(truncatingIfNeeded: random.next())
                    : interestingBytes[Int(random.next() % UInt64(interestingBytes.count))]
                switch random.next() % 6 {
                case 0 where !bytes.isEmpty: bytes[position] = replacement
                case 1: bytes.insert(replacement, at: position)
                case 2 where !bytes.isEmpty: bytes.remove(at: position)
                case 3: bytes.removeLast(bytes.count - position)
                case 4 where position + 1 < bytes.count: bytes.swapAt(position, position + 1)
                default:
                    let end = min(bytes.count, position + Int(random.next() % 8))
                    bytes.insert(contentsOf: bytes[position..<end], at: position)
                }
            }
            if checkSurvives(bytes, seed: seed, iteration: iteration) { accepted += 1 }
        }
        // Both outcomes must occur, or the mutations test nothing.
        #expect(accepted > 1_000 && accepted < 29_000, "seed \(seed): accepted \(accepted)")
    }
}
