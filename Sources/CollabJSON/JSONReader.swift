/// A strict RFC 8259 JSON reader, made for the protocol's small messages.
///
/// It reads one whole message from a byte buffer (a WebSocket text frame is
/// always complete). It is strict where RFC 8259 is strict: exactly one value,
/// whitespace limited to space, tab, CR and LF, no comments, trailing commas,
/// single quotes, `NaN`/`Infinity`, leading zeros or `+`, well-formed UTF-8
/// only, no raw control characters in strings. Decisions the RFC leaves open:
///
/// - Numbers: `-?(0|[1-9][0-9]*)` with no fraction or exponent that fits in
///   `Int` is `.integer`; every other number is `.number(Double)`, correctly
///   rounded. A magnitude beyond `Double` becomes `±infinity` (as in
///   JavaScript) so that callers can refuse it as a non-integer count.
///   `-0` is `.integer(0)`.
/// - `\uXXXX` escapes forming a lone UTF-16 surrogate (a high one not followed
///   by a low one, or a low one alone) are accepted in string values, which
///   then read as `.stringWithLoneSurrogate` with U+FFFD in each lone
///   surrogate's place. In an object key they throw `.loneSurrogateInKey`:
///   no message has a key where that could be anything but a bad message.
/// - Duplicate keys are all kept, in order (`JSONObject`'s subscript returns
///   the last, like JavaScript).
/// - Arrays and objects nest at most `maxDepth` levels; the reader keeps its
///   own stack, so no input can exhaust the thread's stack.
/// - A byte order mark is not whitespace and is rejected.
public struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    /// Offset of the next byte to read.
    private var index = 0
    /// The containers opened and not yet closed, innermost last.
    private var open: [OpenContainer] = []
    /// Member values of every open container, innermost container's last.
    private var pendingValues: [JSONValue] = []
    /// Member keys of every open object, innermost object's last.
    private var pendingKeys: [String] = []
    /// The decoded bytes of a string with escapes; reused for every such string.
    private var unescaped: [UInt8] = []

    private struct OpenContainer {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        // One allocation each that a typical message never outgrows.
        open.reserveCapacity(8)
        pendingValues.reserveCapacity(min(bytes.count / 2 + 1, 32))
        pendingKeys.reserveCapacity(min(bytes.count / 3 + 1, 16))
    }

    /// Parses `bytes` as exactly one JSON value, nesting at most `maxDepth` arrays and objects.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        let result = bytes.withMemoryRebound(to: UInt8.self) { buffer -> Result<JSONValue, JSONError> in
            var reader = JSONReader(bytes: buffer, maxDepth: maxDepth)
            do throws(JSONError) {
                return .success(try reader.readDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses `bytes` as exactly one JSON value, nesting at most `maxDepth` arrays and objects.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer -> Result<JSONValue, JSONError> in
            do throws(JSONError) {
                return .success(try parse(buffer, maxDepth: maxDepth))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses the UTF-8 form of `text` as exactly one JSON value; offsets in errors count UTF-8 bytes.
    public static func parse(_ text: String, maxDepth: Int = 32) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer -> Result<JSONValue, JSONError> in
            do throws(JSONError) {
                return .success(try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    // MARK: - Structure

    /// Reads values without recursion: a container pushes itself on `open`
    /// and its members collect in `pendingValues` until it closes.
    private mutating func readDocument() throws(JSONError) -> JSONValue {
        readValue: while true {
            var value: JSONValue
            skipWhitespace()
            guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: index) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                let isObject = byte == UInt8(ascii: "{")
                guard open.count < maxDepth else { throw JSONError(.tooDeep, at: index) }
                index += 1
                skipWhitespace()
                guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: index) }
                if bytes[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    index += 1
                    value = isObject ? .object(JSONObject()) : .array([])
                } else {
                    open.append(OpenContainer(isObject: isObject, valueStart: pendingValues.count,
                                              keyStart: pendingKeys.count))
                    if isObject { try readKeyAndColon() }
                    continue readValue
                }
            case UInt8(ascii: "\""):
                let (text, loneSurrogateAt) = try readString()
                value = loneSurrogateAt == nil ? .string(text) : .stringWithLoneSurrogate(text)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try readNumber()
            case UInt8(ascii: "t"):
                try readLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try readLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try readLiteral("null")
                value = .null
            default:
                throw JSONError(.unexpectedByte(byte), at: index)
            }

            // `value` is complete: add it to the innermost container, closing
            // every container it completes.
            while let container = open.last {
                pendingValues.append(value)
                skipWhitespace()
                guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: index) }
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") {
                    index += 1
                    if container.isObject {
                        skipWhitespace()
                        try readKeyAndColon()
                    }
                    continue readValue
                }
                guard byte == (container.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw JSONError(.unexpectedByte(byte), at: index)
                }
                index += 1
                open.removeLast()
                value = close(container)
            }
            skipWhitespace()
            guard index == bytes.count else { throw JSONError(.trailingData, at: index) }
            return value
        }
    }

    /// Builds the value of a container whose members are the last ones pending.
    private mutating func close(_ container: OpenContainer) -> JSONValue {
        let count = pendingValues.count - container.valueStart
        // Members are moved out (swapped with trivial placeholders), which
        // spares a retain and a release for each.
        if container.isObject {
            let members = [(key: String, value: JSONValue)](unsafeUninitializedCapacity: count) { buffer, initialized in
                for offset in 0..<count {
                    var key = ""
                    var value = JSONValue.null
                    swap(&key, &pendingKeys[container.keyStart + offset])
                    swap(&value, &pendingValues[container.valueStart + offset])
                    buffer.initializeElement(at: offset, to: (key: key, value: value))
                }
                initialized = count
            }
            pendingKeys.removeLast(count)
            pendingValues.removeLast(count)
            return .object(JSONObject(members))
        } else {
            let elements = [JSONValue](unsafeUninitializedCapacity: count) { buffer, initialized in
                for offset in 0..<count {
                    var value = JSONValue.null
                    swap(&value, &pendingValues[container.valueStart + offset])
                    buffer.initializeElement(at: offset, to: value)
                }
                initialized = count
            }
            pendingValues.removeLast(count)
            return .array(elements)
        }
    }

    /// Reads `"key"` and the `:` after it, at `index` (whitespace before it already skipped).
    private mutating func readKeyAndColon() throws(JSONError) {
        guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: index) }
        guard bytes[index] == UInt8(ascii: "\"") else {
            throw JSONError(.unexpectedByte(bytes[index]), at: index)
        }
        let (key, loneSurrogateAt) = try readString()
        if let loneSurrogateAt { throw JSONError(.loneSurrogateInKey, at: loneSurrogateAt) }
        pendingKeys.append(key)
        skipWhitespace()
        guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: index) }
        guard bytes[index] == UInt8(ascii: ":") else {
            throw JSONError(.unexpectedByte(bytes[index]), at: index)
        }
        index += 1
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                index += 1
            default:
                return
            }
        }
    }

    private mutating func readLiteral(_ literal: StaticString) throws(JSONError) {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for (offset, expectedByte) in expected.enumerated() {
            let at = index + offset
            guard at < bytes.count else { throw JSONError(.unexpectedEnd, at: at) }
            guard bytes[at] == expectedByte else { throw JSONError(.unexpectedByte(bytes[at]), at: at) }
        }
        index += expected.count
    }

    // MARK: - Numbers

    private mutating func readNumber() throws(JSONError) -> JSONValue {
        let start = index
        var at = index
        let negative = bytes[at] == UInt8(ascii: "-")
        if negative { at += 1 }
        guard at < bytes.count else { throw JSONError(.unexpectedEnd, at: at) }

        // Integer part, accumulated towards its sign so that Int.min fits.
        var integer = 0
        var fitsInInt = true
        let first = bytes[at]
        if first == UInt8(ascii: "0") {
            at += 1
            if at < bytes.count, Self.isDigit(bytes[at]) { throw JSONError(.invalidNumber, at: at) }
        } else if Self.isDigit(first) {
            while at < bytes.count, Self.isDigit(bytes[at]) {
                if fitsInInt {
                    let digit = Int(bytes[at] &- UInt8(ascii: "0"))
                    let (shifted, overflowA) = integer.multipliedReportingOverflow(by: 10)
                    let (sum, overflowB) = negative
                        ? shifted.subtractingReportingOverflow(digit)
                        : shifted.addingReportingOverflow(digit)
                    if overflowA || overflowB { fitsInInt = false } else { integer = sum }
                }
                at += 1
            }
        } else {
            throw JSONError(.invalidNumber, at: at)
        }

        var isPlainInteger = true
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            isPlainInteger = false
            at += 1
            at = try skipDigits(from: at)
        }
        if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "e") {
            isPlainInteger = false
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            at = try skipDigits(from: at)
        }
        index = at

        if isPlainInteger && fitsInInt { return .integer(integer) }
        // The grammar is checked above, so the standard library's correctly
        // rounded conversion sees only plain decimal forms.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        guard let number = Double(text) else { throw JSONError(.invalidNumber, at: start) }
        return .number(number)
    }

    /// Skips one or more digits starting at `from`; returns the offset after them.
    private func skipDigits(from: Int) throws(JSONError) -> Int {
        var at = from
        guard at < bytes.count else { throw JSONError(.unexpectedEnd, at: at) }
        guard Self.isDigit(bytes[at]) else { throw JSONError(.invalidNumber, at: at) }
        at += 1
        while at < bytes.count, Self.isDigit(bytes[at]) { at += 1 }
        return at
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: - Strings

    /// Reads the string whose opening quote is at `index`; also returns the
    /// offset of the first escape that is a lone surrogate, if any.
    private mutating func readString() throws(JSONError) -> (text: String, loneSurrogateAt: Int?) {
        let start = index + 1
        var at = start
        // Fast path: no escapes, so the text is the input slice itself.
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                index = at + 1
                return (String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self), nil)
            } else if byte == UInt8(ascii: "\\") {
                return try readEscapedString(start: start, firstEscape: at)
            } else if byte < 0x20 {
                throw JSONError(.controlCharacterInString, at: at)
            } else if byte < 0x80 {
                at += 1
            } else {
                at = try skipUTF8Sequence(at: at)
            }
        }
        throw JSONError(.unexpectedEnd, at: at)
    }

    /// Continues `readString` from its first backslash, decoding into `unescaped`.
    private mutating func readEscapedString(start: Int, firstEscape: Int) throws(JSONError)
        -> (text: String, loneSurrogateAt: Int?)
    {
        unescaped.removeAll(keepingCapacity: true)
        var loneSurrogateAt: Int? = nil
        var runStart = start
        var at = firstEscape
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<at]))
                index = at + 1
                return (String(decoding: unescaped, as: UTF8.self), loneSurrogateAt)
            } else if byte == UInt8(ascii: "\\") {
                unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<at]))
                let escapeAt = at
                guard at + 1 < bytes.count else { throw JSONError(.unexpectedEnd, at: at + 1) }
                at += 2
                switch bytes[escapeAt + 1] {
                case UInt8(ascii: "\""): unescaped.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): unescaped.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): unescaped.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try readHex4(at: at, escapeAt: escapeAt)
                    at += 4
                    switch unit {
                    case 0xD800...0xDBFF:
                        // A high surrogate counts only with a low one right after it;
                        // otherwise the next escape is read on its own.
                        if at + 6 <= bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u"),
                           let low = peekHex4(at: at + 2), (0xDC00...0xDFFF).contains(low)
                        {
                            appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                            at += 6
                        } else {
                            appendUTF8(0xFFFD)
                            if loneSurrogateAt == nil { loneSurrogateAt = escapeAt }
                        }
                    case 0xDC00...0xDFFF:
                        appendUTF8(0xFFFD)
                        if loneSurrogateAt == nil { loneSurrogateAt = escapeAt }
                    default:
                        appendUTF8(unit)
                    }
                default:
                    throw JSONError(.invalidEscape, at: escapeAt)
                }
                runStart = at
            } else if byte < 0x20 {
                throw JSONError(.controlCharacterInString, at: at)
            } else if byte < 0x80 {
                at += 1
            } else {
                at = try skipUTF8Sequence(at: at)
            }
        }
        throw JSONError(.unexpectedEnd, at: at)
    }

    /// The four hex digits at `at`, for the escape starting at `escapeAt`.
    private func readHex4(at: Int, escapeAt: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for position in at..<(at + 4) {
            guard position < bytes.count else { throw JSONError(.unexpectedEnd, at: position) }
            guard let digit = Self.hexValue(bytes[position]) else { throw JSONError(.invalidEscape, at: escapeAt) }
            value = value << 4 | digit
        }
        return value
    }

    /// The four hex digits at `at`, or nil if they are not all there.
    private func peekHex4(at: Int) -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for position in at..<(at + 4) {
            guard let digit = Self.hexValue(bytes[position]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// Appends the UTF-8 form of `scalar` (a valid scalar value) to `unescaped`.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            unescaped.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            unescaped.append(UInt8(truncatingIfNeeded: 0xC0 | scalar >> 6))
            unescaped.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            unescaped.append(UInt8(truncatingIfNeeded: 0xE0 | scalar >> 12))
            unescaped.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            unescaped.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        default:
            unescaped.append(UInt8(truncatingIfNeeded: 0xF0 | scalar >> 18))
            unescaped.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 12 & 0x3F))
            unescaped.append(UInt8(truncatingIfNeeded: 0x80 | scalar >> 6 & 0x3F))
            unescaped.append(UInt8(truncatingIfNeeded: 0x80 | scalar & 0x3F))
        }
    }

    /// Checks the multi-byte UTF-8 sequence whose lead byte is at `at`
    /// (Unicode Table 3-7: no overlongs, surrogates or values past U+10FFFF);
    /// returns the offset after it.
    private func skipUTF8Sequence(at: Int) throws(JSONError) -> Int {
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch bytes[at] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: throw JSONError(.invalidUTF8, at: at)
        }
        for position in (at + 1)..<(at + length) {
            guard position < bytes.count else { throw JSONError(.unexpectedEnd, at: position) }
            let byte = bytes[position]
            let valid = position == at + 1 ? (secondLow...secondHigh).contains(byte) : byte & 0xC0 == 0x80
            guard valid else { throw JSONError(.invalidUTF8, at: at) }
        }
        return at + length
    }
}
