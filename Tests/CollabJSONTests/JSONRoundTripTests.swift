import Testing
import CollabJSON
import CollabTestSupport

/// Random values of every kind, including the awkward ones.
struct RandomJSON {
    var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func pick(_ count: Int) -> Int {
        Int(generator.next() % UInt64(count))
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch pick(depth >= 6 ? 5 : 8) {
        case 0: return .null
        case 1: return .bool(pick(2) == 0)
        case 2: return .integer(integer())
        case 3: return .number(number())
        case 4: return .string(string())
        case 5, 6:
            return .array((0..<pick(6)).map { _ in value(depth: depth + 1) })
        default:
            // Few distinct keys, so that duplicates happen.
            return .object(JSONObject((0..<pick(6)).map { _ in
                (key: pick(3) == 0 ? string() : ["a", "b", "type", "op"][pick(4)], value: value(depth: depth + 1))
            }))
        }
    }

    mutating func integer() -> Int {
        switch pick(4) {
        case 0: return pick(20) - 10
        case 1: return [Int.max, Int.min, Int.max - 1, Int.min + 1, 0][pick(5)]
        default: return Int(bitPattern: UInt(generator.next())) >> pick(64)
        }
    }

    mutating func number() -> Double {
        switch pick(4) {
        case 0: return Double(pick(2001) - 1000)  // Integral, still a number.
        case 1: return Double(pick(100_000)) / 100
        case 2: return [0.0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.leastNormalMagnitude, 1e300][pick(6)]
        default:
            while true {
                let candidate = Double(bitPattern: generator.next())
                if candidate.isFinite { return candidate }
            }
        }
    }

    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<pick(12) {
            let code: UInt32
            switch pick(8) {
            case 0: code = UInt32(pick(0x20))
            case 1: code = [0x22, 0x5C, 0x2F, 0x7F, 0xFFFD, 0x2028, 0xFEFF][pick(7)]
            case 2: code = 0x80 + UInt32(pick(0x780))
            case 3: code = 0x800 + UInt32(pick(0xD800 - 0x800))
            case 4: code = 0xE000 + UInt32(pick(0x2000))
            case 5: code = 0x10000 + UInt32(pick(0x100000))
            default: code = 0x20 + UInt32(pick(0x5F))
            }
            if let scalar = Unicode.Scalar(code) { scalars.append(scalar) }
        }
        return String(scalars)
    }
}

@Suite struct JSONRoundTripTests {
    @Test func randomValuesReadBackEqualAfterWriting() throws {
        let seed: UInt64 = 0x5EED_0001
        var random = RandomJSON(seed: seed)
        for iteration in 0..<3_000 {
            let value = random.value()
            let bytes = value.encoded()
            let parsed: JSONValue
            do {
                parsed = try JSONReader.parse(bytes)
            } catch {
                Issue.record("seed \(seed) iteration \(iteration): \(error) reading \(value.jsonString)")
                continue
            }
            #expect(parsed == value, "seed \(seed) iteration \(iteration): \(value.jsonString)")
            // Byte-identical on a second pass: catches -0.0 and number kinds that == hides.
            #expect(parsed.encoded() == bytes, "seed \(seed) iteration \(iteration)")
        }
    }

    @Test func randomDoublesRoundTripBitForBit() throws {
        let seed: UInt64 = 0x5EED_0002
        var random = RandomJSON(seed: seed)
        for iteration in 0..<20_000 {
            let number = random.number()
            guard case .number(let read) = try JSONReader.parse(JSONValue.number(number).encoded()) else {
                Issue.record("seed \(seed) iteration \(iteration): \(number) did not read back as a number")
                continue
            }
            #expect(read.bitPattern == number.bitPattern, "seed \(seed) iteration \(iteration): \(number)")
        }
    }
}
