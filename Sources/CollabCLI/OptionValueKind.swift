/// What an option's value must look like; checked while parsing, before any command runs.
public enum OptionValueKind: Sendable, Equatable {
    /// Any text.
    case string
    /// A decimal integer within the range.
    case integer(ClosedRange<Int>)
    /// A duration such as `30s`, `5m`, `8h`, `2d` or `1h30m` (see `DurationSyntax`).
    case duration
    /// One of a fixed set of words.
    case choice([String])

    /// An integer of any size.
    public static let anyInteger = OptionValueKind.integer(Int.min...Int.max)
    /// An integer ≥ 0.
    public static let nonNegativeInteger = OptionValueKind.integer(0...Int.max)
    /// An integer ≥ 1.
    public static let positiveInteger = OptionValueKind.integer(1...Int.max)

    /// Checks `text`; on failure returns what was expected, phrased to follow "expected ".
    func validate(_ text: String) -> Result<Void, InvalidValue> {
        switch self {
        case .string:
            return .success(())
        case .integer(let range):
            guard let number = Int(text), range.contains(number) else {
                return .failure(InvalidValue(expected: integerDescription(range), suggestion: nil))
            }
            return .success(())
        case .duration:
            guard DurationSyntax.parse(text) != nil else {
                return .failure(InvalidValue(
                    expected: "a duration such as 30s, 5m, 8h or 2d", suggestion: nil))
            }
            return .success(())
        case .choice(let words):
            guard words.contains(text) else {
                let expected = "one of " + words.joined(separator: ", ")
                let closest = SpellingSuggestion.closest(to: text, among: words)
                return .failure(InvalidValue(expected: expected, suggestion: closest))
            }
            return .success(())
        }
    }

    private func integerDescription(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): return "an integer"
        case (0, Int.max): return "an integer of 0 or more"
        case (let low, Int.max): return "an integer of \(low) or more"
        case (Int.min, let high): return "an integer of \(high) or less"
        case (let low, let high): return "an integer from \(low) to \(high)"
        }
    }
}
