import Testing
@testable import CollabStorage
import CollabTestSupport

@Suite struct ISO8601TimeTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_763_800_000_000, "2025-11-22T08:26:40.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
        (1_795_325_462_123, "2026-11-22T05:31:02.123Z"),
    ])
    func formatsKnownTimes(milliseconds: Int64, text: String) {
        #expect(ISO8601Time.format(milliseconds: milliseconds) == text)
        #expect(ISO8601Time.parse(text) == milliseconds)
    }

    @Test(arguments: [
        ("2025-11-22", Int64(1_763_769_600_000)),
        ("2025-11-22T08:26:40Z", 1_763_800_000_000),
        ("2025-11-22t08:26:40z", 1_763_800_000_000),
        ("2025-11-22 08:26:40Z", 1_763_800_000_000),
        ("2025-11-22T08:26Z", 1_763_799_960_000),
        ("2025-11-22T09:26:40+01:00", 1_763_800_000_000),
        ("2025-11-22T09:26:40+0100", 1_763_800_000_000),
        ("2025-11-22T09:26:40+01", 1_763_800_000_000),
        ("2025-11-22T03:56:40-04:30", 1_763_800_000_000),
        ("2025-11-22T08:26:40.5Z", 1_763_800_000_500),
        ("2025-11-22T08:26:40,25Z", 1_763_800_000_250),
        ("2025-11-22T08:26:40.123999Z", 1_763_800_000_123),
    ])
    func parsesCommonForms(text: String, milliseconds: Int64) {
        #expect(ISO8601Time.parse(text) == milliseconds, "\(text)")
    }

    @Test(arguments: [
        "", "2025", "2025-11", "2025-13-01", "2025-02-29", "2025-11-31", "2025-11-22T08:26:40",
        "2025-11-22T24:00Z", "2025-11-22T08:60Z", "2025-11-22T08:26:61Z", "2025-11-22T08:26:40.Z",
        "2025-11-22T08:26:40+25:00", "2025-11-22Z", "25-11-22", "2025-11-22T08:26:40Z ", "yesterday",
    ])
    func rejectsOtherText(text: String) {
        #expect(ISO8601Time.parse(text) == nil, "\(text)")
    }

    @Test func roundTripsRandomTimes() {
        let seed: UInt64 = 2026
        var random = SplitMix64(seed: seed)
        for _ in 0..<5_000 {
            let milliseconds = Int64(bitPattern: random.next() % 8_000_000_000_000) - 2_000_000_000_000
            #expect(ISO8601Time.parse(ISO8601Time.format(milliseconds: milliseconds)) == milliseconds, "seed \(seed)")
        }
    }
}
