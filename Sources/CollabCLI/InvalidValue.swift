/// Why a value was refused: what was expected, and possibly the valid word it resembles.
struct InvalidValue: Error, Equatable {
    var expected: String
    var suggestion: String?
}
