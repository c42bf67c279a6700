import CollabJSON

// Literal forms for writing expected values in tests; kept out of the library
// so that they never clash with other modules' choices.
extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

/// The UTF-8 bytes of `text`.
func utf8(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// `value` with every `.stringWithLoneSurrogate` turned into the `.string` it is written as.
func replacingLoneSurrogateStrings(_ value: JSONValue) -> JSONValue {
    switch value {
    case .stringWithLoneSurrogate(let text): return .string(text)
    case .array(let elements): return .array(elements.map(replacingLoneSurrogateStrings))
    case .object(let object):
        return .object(JSONObject(object.members.map { (key: $0.key, value: replacingLoneSurrogateStrings($0.value)) }))
    case .null, .bool, .integer, .number, .string: return value
    }
}
