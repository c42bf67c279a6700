/// Reads a sequential editing trace, `{"startContent": s, "endContent": s, "txns":
/// [{"patches": [[pos, ndel, "ins"], ...], ...}, ...]}`, fed in pieces of any size.
///
/// A streaming scanner made for this one shape: it keeps the edits, the two contents and
/// at most one incomplete token, so memory stays far below the file size. Unknown keys and
/// their values are skipped.
public struct TraceReader {
    /// Bytes fed but not yet consumed (an incomplete token).
    private var pending: [UInt8] = []
    /// How far an incomplete string at the start of `pending` has been scanned, so a long
    /// string fed in many small pieces is not rescanned from its start each time.
    private var stringProgress = StringProgress(scanned: 0, escaped: false)
    /// Offset in the whole input of `pending[0]`, for error messages.
    private var pendingOffset = 0
    private var stack: [Frame] = []
    private var rootClosed = false
    private var patch = PatchInProgress()

    private var edits: [TraceEdit] = []
    private var insertedUTF8: [UInt8] = []
    private var startContent: [UInt8]?
    private var endContent: [UInt8]?

    /// What a container is in the trace's shape.
    private enum Role {
        case root, txns, txn, patches, patch, other
    }

    /// Keys that matter; everything else is `.other`.
    private enum Key {
        case none, startContent, endContent, txns, patches, other
    }

    private struct Frame {
        var role: Role
        var isObject: Bool
        /// Element index (arrays).
        var index = 0
        /// True right after `{` or `,` in an object.
        var expectingKey: Bool
        /// The key whose value comes next (objects).
        var key = Key.none
    }

    private struct PatchInProgress {
        var position: Int?
        var deleteCount = 0
        var insertStart = 0
        var insertLength = 0
    }

    private struct StringProgress {
        /// Bytes of the token known to hold no closing quote (a resume point, never inside an escape).
        var scanned: Int
        var escaped: Bool
    }

    private enum Token {
        case beginObject, endObject, beginArray, endArray, colon, comma
        /// The bytes between the quotes, and whether they hold escapes.
        case string(Range<Int>, escaped: Bool)
        /// An integer, or nil for a fraction, exponent or out-of-range number.
        case number(Int?)
        case literal
    }

    public init() {}

    /// Consumes the next piece of the file.
    public mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws(TraceError) {
        pending.append(contentsOf: bytes)
        try consume(isFinal: false)
    }

    /// Ends the input and returns the trace.
    public mutating func finish() throws(TraceError) -> Trace {
        try consume(isFinal: true)
        guard rootClosed else {
            throw .malformed(offset: pendingOffset, reason: "unexpected end of input")
        }
        guard let end = endContent else {
            throw .malformed(offset: pendingOffset, reason: "no \"endContent\"")
        }
        return Trace(startContent: String(decoding: startContent ?? [], as: UTF8.self),
                     endContent: String(decoding: end, as: UTF8.self),
                     edits: edits, insertedUTF8: insertedUTF8)
    }

    private mutating func consume(isFinal: Bool) throws(TraceError) {
        // Move the buffer out so handling tokens may mutate self while it is borrowed.
        var buffer = pending
        pending = []
        var consumed = 0
        var progress = stringProgress
        let result: Result<Void, TraceError> = buffer.withUnsafeBufferPointer { input in
            do throws(TraceError) {
                while let token = try Self.scanToken(input, from: &consumed, isFinal: isFinal,
                                                     baseOffset: pendingOffset, progress: &progress) {
                    try handle(token, in: input, at: pendingOffset + consumed)
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        stringProgress = progress
        // Drop consumed bytes in place; an incomplete token stays without being copied.
        if consumed > 0 {
            buffer.removeFirst(consumed)
        }
        pending = buffer
        pendingOffset += consumed
        if isFinal && !pending.isEmpty {
            throw .malformed(offset: pendingOffset, reason: "incomplete token at end of input")
        }
    }

    // MARK: - Structure

    private mutating func handle(_ token: Token, in input: UnsafeBufferPointer<UInt8>,
                                 at offset: Int) throws(TraceError) {
        if rootClosed {
            throw .malformed(offset: offset, reason: "data after the top-level object")
        }
        switch token {
        case .beginObject, .beginArray:
            let isObject: Bool
            if case .beginObject = token { isObject = true } else { isObject = false }
            let role = try roleOfNextContainer(isObject: isObject, at: offset)
            if role == .patch {
                patch = PatchInProgress()
            }
            stack.append(Frame(role: role, isObject: isObject, expectingKey: isObject))
        case .endObject, .endArray:
            guard let frame = stack.popLast() else {
                throw .malformed(offset: offset, reason: "unbalanced bracket")
            }
            if case .endObject = token, !frame.isObject {
                throw .malformed(offset: offset, reason: "'}' closes an array")
            }
            if case .endArray = token, frame.isObject {
                throw .malformed(offset: offset, reason: "']' closes an object")
            }
            if frame.role == .patch {
                try emitPatch(at: offset)
            }
            rootClosed = stack.isEmpty
        case .comma:
            guard !stack.isEmpty else { throw .malformed(offset: offset, reason: "stray ','") }
            if stack[stack.count - 1].isObject {
                stack[stack.count - 1].expectingKey = true
                stack[stack.count - 1].key = .none
            } else {
                stack[stack.count - 1].index += 1
            }
        case .colon:
            guard stack.last?.isObject == true else {
                throw .malformed(offset: offset, reason: "stray ':'")
            }
        case .string(let range, let escaped):
            guard var top = stack.last else {
                throw .malformed(offset: offset, reason: "the trace is not an object")
            }
            if top.isObject && top.expectingKey {
                top.expectingKey = false
                top.key = Self.key(UnsafeBufferPointer(rebasing: input[range]))
                stack[stack.count - 1] = top
                return
            }
            try handleString(range, escaped: escaped, in: input, parent: top, at: offset)
        case .number(let value):
            guard let top = stack.last else {
                throw .malformed(offset: offset, reason: "the trace is not an object")
            }
            guard top.role == .patch && top.index < 2 else { return }
            guard let value, value >= 0, value <= Int(Int32.max) else {
                throw .malformed(offset: offset, reason: "patch count is not a small non-negative integer")
            }
            if top.index == 0 {
                patch.position = value
            } else {
                patch.deleteCount = value
            }
        case .literal:
            guard !stack.isEmpty else {
                throw .malformed(offset: offset, reason: "the trace is not an object")
            }
        }
    }

    private func roleOfNextContainer(isObject: Bool, at offset: Int) throws(TraceError) -> Role {
        guard let parent = stack.last else {
            guard isObject else { throw .malformed(offset: offset, reason: "the trace is not an object") }
            return .root
        }
        let expected: (Role, Bool)?
        switch (parent.role, parent.key) {
        case (.root, .txns): expected = (.txns, false)
        case (.txns, _): expected = (.txn, true)
        case (.txn, .patches): expected = (.patches, false)
        case (.patches, _): expected = (.patch, false)
        default: expected = nil
        }
        guard let (role, wantsObject) = expected else { return .other }
        guard wantsObject == isObject else {
            throw .malformed(offset: offset, reason: "unexpected \(isObject ? "object" : "array") for \(role)")
        }
        return role
    }

    private mutating func handleString(_ range: Range<Int>, escaped: Bool, in input: UnsafeBufferPointer<UInt8>,
                                       parent: Frame, at offset: Int) throws(TraceError) {
        switch (parent.role, parent.key) {
        case (.root, .endContent):
            var text: [UInt8] = []
            try Self.decode(input, range, escaped: escaped, into: &text, at: offset)
            endContent = text
        case (.root, .startContent):
            var text: [UInt8] = []
            try Self.decode(input, range, escaped: escaped, into: &text, at: offset)
            startContent = text
        case (.patch, _) where parent.index == 1 || parent.index == 2:
            patch.insertStart = insertedUTF8.count
            try Self.decode(input, range, escaped: escaped, into: &insertedUTF8, at: offset)
            patch.insertLength = insertedUTF8.count - patch.insertStart
            guard insertedUTF8.count <= Int(Int32.max) else {
                throw .malformed(offset: offset, reason: "inserted text too large")
            }
        default:
            return
        }
    }

    private mutating func emitPatch(at offset: Int) throws(TraceError) {
        guard let position = patch.position else {
            throw .malformed(offset: offset, reason: "patch without a position")
        }
        edits.append(TraceEdit(position: Int32(position), deleteCount: Int32(patch.deleteCount),
                               insertStart: Int32(patch.insertStart), insertLength: Int32(patch.insertLength)))
    }

    private static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Key {
        // Dispatch on length first: this runs for every key of every transaction.
        switch bytes.count {
        case 4 where matches(bytes, "txns"): return .txns
        case 7 where matches(bytes, "patches"): return .patches
        case 10 where matches(bytes, "endContent"): return .endContent
        case 12 where matches(bytes, "startContent"): return .startContent
        default: return .other
        }
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for index in 0..<bytes.count where bytes[index] != expected[index] {
            return false
        }
        return true
    }

    // MARK: - Tokens

    /// The token at `index` (after whitespace), or nil when the input ends before the
    /// token does (more input may complete it) or holds only whitespace.
    private static func scanToken(_ input: UnsafeBufferPointer<UInt8>, from index: inout Int, isFinal: Bool,
                                  baseOffset: Int, progress: inout StringProgress) throws(TraceError) -> Token? {
        var i = index
        while i < input.count, input[i] == 0x20 || input[i] == 0x0A || input[i] == 0x0D || input[i] == 0x09 {
            i += 1
        }
        index = i
        guard i < input.count else { return nil }
        let token: Token
        switch input[i] {
        case UInt8(ascii: "{"): token = .beginObject; i += 1
        case UInt8(ascii: "}"): token = .endObject; i += 1
        case UInt8(ascii: "["): token = .beginArray; i += 1
        case UInt8(ascii: "]"): token = .endArray; i += 1
        case UInt8(ascii: ":"): token = .colon; i += 1
        case UInt8(ascii: ","): token = .comma; i += 1
        case UInt8(ascii: "\""):
            // A resumed scan is always of the token at the start of the buffer (i == 0).
            var j = max(i + 1, i + progress.scanned)
            var escaped = progress.escaped
            while j < input.count && input[j] != UInt8(ascii: "\"") {
                if input[j] == UInt8(ascii: "\\") {
                    escaped = true
                    j += 1
                }
                j += 1
            }
            guard j < input.count else {
                // Resume before a trailing backslash whose escaped byte has not arrived.
                progress = StringProgress(scanned: (j > input.count ? j - 2 : j) - i, escaped: escaped)
                return nil
            }
            progress = StringProgress(scanned: 0, escaped: false)
            token = .string((i + 1)..<j, escaped: escaped)
            i = j + 1
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var j = i
            var value: Int? = 0
            let negative = input[j] == UInt8(ascii: "-")
            if negative { j += 1 }
            while j < input.count {
                let byte = input[j]
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    if let current = value {
                        let (times, o1) = current.multipliedReportingOverflow(by: 10)
                        let (sum, o2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                        value = o1 || o2 ? nil : sum
                    }
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                    value = nil
                } else {
                    break
                }
                j += 1
            }
            guard j < input.count || isFinal else { return nil }
            guard j > i + (negative ? 1 : 0) else {
                throw .malformed(offset: baseOffset + i, reason: "bad number")
            }
            token = .number(value.map { negative ? -$0 : $0 })
            i = j
        case UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "f"):
            let word: String = input[i] == UInt8(ascii: "t") ? "true" : input[i] == UInt8(ascii: "n") ? "null" : "false"
            let length = word.utf8.count
            guard i + length <= input.count else {
                if isFinal { throw .malformed(offset: baseOffset + i, reason: "truncated literal") }
                return nil
            }
            guard UnsafeBufferPointer(rebasing: input[i..<(i + length)]).elementsEqual(word.utf8) else {
                throw .malformed(offset: baseOffset + i, reason: "unknown literal")
            }
            token = .literal
            i += length
        default:
            throw .malformed(offset: baseOffset + i, reason: "unexpected byte \(input[i])")
        }
        index = i
        return token
    }

    /// Appends the UTF-8 of the JSON string body `input[range]` to `out`, resolving escapes.
    private static func decode(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, escaped: Bool,
                               into out: inout [UInt8], at offset: Int) throws(TraceError) {
        guard escaped else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[range]))
            return
        }
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let byte = input[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let escape = input[i + 1]  // the scanner guarantees a byte after each backslash
            i += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(input, at: i, end: end, offset: offset)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 1 < end, input[i] == UInt8(ascii: "\\"), input[i + 1] == UInt8(ascii: "u") else {
                        throw .malformed(offset: offset, reason: "lone surrogate escape")
                    }
                    let low = try hex4(input, at: i + 2, end: end, offset: offset)
                    guard low >= 0xDC00 && low < 0xE000 else {
                        throw .malformed(offset: offset, reason: "lone surrogate escape")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw .malformed(offset: offset, reason: "lone surrogate escape")
                }
                guard let value = Unicode.Scalar(scalar) else {
                    throw .malformed(offset: offset, reason: "invalid escape")
                }
                out.append(contentsOf: value.utf8)
            default:
                throw .malformed(offset: offset, reason: "unknown escape")
            }
        }
    }

    private static func hex4(_ input: UnsafeBufferPointer<UInt8>, at start: Int, end: Int,
                             offset: Int) throws(TraceError) -> UInt32 {
        guard start + 4 <= end else { throw .malformed(offset: offset, reason: "short \\u escape") }
        var value: UInt32 = 0
        for i in start..<(start + 4) {
            let byte = input[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .malformed(offset: offset, reason: "bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
