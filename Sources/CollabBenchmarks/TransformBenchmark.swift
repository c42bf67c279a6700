import CollabOT

/// Measures how fast the OT engine transforms pairs of concurrent operations.
enum TransformBenchmark {
    /// Transforms `pairs` pairs of random 3–8 component operations (made from `seed`
    /// before timing starts) and returns pairs per second.
    static func measure(pairs: Int, seed: UInt64) -> Double {
        var random = Random(seed: seed)
        let documentLength = 200
        var firsts: [TextOperation] = []
        var seconds: [TextOperation] = []
        firsts.reserveCapacity(pairs)
        seconds.reserveCapacity(pairs)
        for _ in 0..<pairs {
            firsts.append(randomOperation(documentLength: documentLength, random: &random))
            seconds.append(randomOperation(documentLength: documentLength, random: &random))
        }

        var checksum = 0
        let clock = ContinuousClock()
        let start = clock.now
        for index in 0..<pairs {
            let (firstPrime, secondPrime) = TextOperation.transform(firsts[index], seconds[index])
            checksum &+= firstPrime.lengthChange &+ secondPrime.components.count
        }
        let elapsed = clock.now - start
        // Keeps the optimizer from dropping the loop.
        if checksum == Int.min { print(checksum) }
        let duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(pairs) / duration
    }

    /// A valid operation on a document of `documentLength` scalars with 3 to 8 components
    /// before normalization (normalization never merges them: kinds alternate).
    private static func randomOperation(documentLength: Int, random: inout Random) -> TextOperation {
        let texts = ["a", "hi", "é", "xyz", "日本", "👍", "hello world", "\r\n"]
        let componentCount = 3 + Int(random.next() % 6)
        var operation = TextOperation()
        var remaining = documentLength
        var previous = -1
        for _ in 0..<componentCount {
            var kind = Int(random.next() % 3)
            if kind == previous { kind = (kind + 1) % 3 }
            if kind != 1 && remaining == 0 { kind = 1 }
            switch kind {
            case 0:
                let count = 1 + Int(random.next() % UInt64(min(remaining, 20)))
                operation.retain(count)
                remaining -= count
            case 1:
                operation.insert(texts[Int(random.next() % UInt64(texts.count))])
            default:
                let count = 1 + Int(random.next() % UInt64(min(remaining, 10)))
                operation.delete(count)
                remaining -= count
            }
            previous = kind
        }
        return operation
    }

    /// SplitMix64: small, fast and deterministic.
    private struct Random {
        var state: UInt64

        init(seed: UInt64) { state = seed }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
