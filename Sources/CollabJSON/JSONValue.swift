/// A parsed JSON value, typed, with no `Any` in it.
///
/// Numbers keep the distinction the contract needs: a plain integer literal
/// (no fraction, no exponent, fits in `Int`) is `.integer`; every other number
/// is `.number`. Strings whose escapes form a lone UTF-16 surrogate cannot be a
/// Swift `String`, so they are kept apart as `.stringWithLoneSurrogate` (each
/// lone surrogate replaced by U+FFFD) for callers to reject with the right error.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case stringWithLoneSurrogate(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object: members in document order, looked up by key.
///
/// Message objects are small, so a linear scan beats hashing.
public struct JSONObject: Sendable, Hashable {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// The value of the last member named `key`, if any.
    public subscript(key: String) -> JSONValue? {
        get {
            for member in members.reversed() where member.key == key { return member.value }
            return nil
        }
        set {
            members.removeAll { $0.key == key }
            if let newValue { members.append((key, newValue)) }
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}
