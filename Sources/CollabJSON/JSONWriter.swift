/// Writes compact JSON text (no whitespace) by appending UTF-8 bytes to an array.
///
/// The primitives are for hand-written encoders on the hot path; `write`
/// encodes a whole `JSONValue`. Choices the RFC leaves open:
///
/// - Strings escape only what must be escaped: `"`, `\` and control
///   characters (as `\n \r \t \b \f`, else `\u00XX`); everything else,
///   non-ASCII included, is written as raw UTF-8.
/// - `.stringWithLoneSurrogate` is written as its text, which already holds
///   U+FFFD where each lone surrogate was; it reads back as `.string`.
/// - Doubles use the shortest form that reads back to the same value, and
///   always keep a `.` or an exponent (`1.0`, `1e+20`) so they read back as
///   `.number`, never `.integer`. Non-finite doubles (JSON has none) are
///   written as `null`.
/// - Members are written in order, duplicates included.
/// - Nesting is written recursively; values from the reader are bounded by its depth limit.
public enum JSONWriter {
    /// Appends the JSON text of `value` to `output`.
    public static func write(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null:
            appendLiteral("null", into: &output)
        case .bool(let flag):
            appendLiteral(flag ? "true" : "false", into: &output)
        case .integer(let integer):
            appendInteger(integer, into: &output)
        case .number(let number):
            appendDouble(number, into: &output)
        case .string(let text), .stringWithLoneSurrogate(let text):
            appendString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                appendString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                write(member.value, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `string` as a quoted JSON string.
    public static func appendString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for position in utf8.indices {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                appendEscape(of: byte, into: &output)
                runStart = position + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends the decimal digits of `integer`, without making a `String`.
    public static func appendInteger(_ integer: Int, into output: inout [UInt8]) {
        if integer >= 0 && integer < 10 {
            output.append(UInt8(truncatingIfNeeded: integer) &+ UInt8(ascii: "0"))
            return
        }
        if integer < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        // UInt.max has 20 digits.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                magnitude /= 10
            } while magnitude != 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Appends `number` in its shortest round-trip form, or `null` if it is not finite.
    public static func appendDouble(_ number: Double, into output: inout [UInt8]) {
        guard number.isFinite else {
            appendLiteral("null", into: &output)
            return
        }
        // The standard library's description is the shortest round-trip
        // form and is valid JSON for every finite value ("1.0", "1e-05").
        var text = number.description
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    private static func appendEscape(of byte: UInt8, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case 0x0A: output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(UInt8(ascii: "r"))
        case 0x09: output.append(UInt8(ascii: "t"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            output.append(UInt8(ascii: "u"))
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "0"))
            output.append(hexDigits.utf8Start[Int(byte >> 4)])
            output.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }

    private static func appendLiteral(_ literal: StaticString, into output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
