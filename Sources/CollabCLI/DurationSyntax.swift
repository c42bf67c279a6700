/// Reads durations written as `30s`, `5m`, `8h`, `2d` or combinations such as `1h30m`.
///
/// Units are s, m, h and d, each used at most once and from largest to smallest, so
/// `90m` and `1h30m` are both fine but `30m1h` is refused. A bare number is refused:
/// "ttl 8" is ambiguous, and a wrong guess at the unit would be silent.
public enum DurationSyntax {
    /// The duration `text` spells, or nil if it is not one.
    public static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var number: Int64?
        var smallestUnitSoFar = Int64.max
        for scalar in text.unicodeScalars {
            if let digit = digitValue(scalar) {
                let (shifted, overflowA) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (next, overflowB) = shifted.addingReportingOverflow(digit)
                guard !overflowA, !overflowB else { return nil }
                number = next
                continue
            }
            guard let count = number, let unit = seconds(perUnit: scalar),
                  unit < smallestUnitSoFar else { return nil }
            let (part, overflowA) = count.multipliedReportingOverflow(by: unit)
            let (sum, overflowB) = total.addingReportingOverflow(part)
            guard !overflowA, !overflowB else { return nil }
            total = sum
            smallestUnitSoFar = unit
            number = nil
        }
        // Empty text, or digits left without a unit.
        guard number == nil, smallestUnitSoFar != Int64.max else { return nil }
        return .seconds(total)
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int64? {
        guard scalar.value >= 48, scalar.value <= 57 else { return nil }
        return Int64(scalar.value - 48)
    }

    private static func seconds(perUnit scalar: Unicode.Scalar) -> Int64? {
        switch scalar {
        case "s": return 1
        case "m": return 60
        case "h": return 3_600
        case "d": return 86_400
        default: return nil
        }
    }
}
