/// Incremental UTF-8 validator (RFC 3629): rejects overlongs, surrogates and scalars above
/// U+10FFFF at the first offending byte, and accepts input split anywhere, even mid-scalar.
public struct UTF8Validator: Sendable, Hashable {
    /// Where the validator is inside a scalar; each case names what the next byte must be.
    private enum State: UInt8, Sendable, Hashable {
        case ground            // between scalars
        case tail1             // one more 80...BF
        case tail2             // two more 80...BF
        case tail3             // three more 80...BF
        case afterE0           // A0...BF, then tail1 (no overlong 3-byte forms)
        case afterED           // 80...9F, then tail1 (no surrogates)
        case afterF0           // 90...BF, then tail2 (no overlong 4-byte forms)
        case afterF4           // 80...8F, then tail2 (nothing above U+10FFFF)
        case rejected
    }

    private var state: State = .ground

    /// Creates a validator positioned between scalars.
    public init() {}

    /// True when every byte so far was valid and no scalar is left half-finished.
    public var isComplete: Bool { state == .ground }

    /// False once an invalid byte was seen; stays false.
    public var isValidSoFar: Bool { state != .rejected }

    /// Feeds more bytes; returns false at the first invalid byte (and from then on).
    @discardableResult
    public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard state != .rejected else { return false }
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var s = state
        var i = 0
        while i < count {
            if s == .ground {
                // ASCII fast path: skip eight plain ASCII bytes at a time.
                while i + 8 <= count,
                      base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                }
                if i == count { break }
            }
            s = Self.step(s, base.load(fromByteOffset: i, as: UInt8.self))
            if s == .rejected {
                state = .rejected
                return false
            }
            i += 1
        }
        state = s
        return true
    }

    /// Feeds more bytes; returns false at the first invalid byte (and from then on).
    @discardableResult
    public mutating func validate(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { validate($0) }
    }

    /// Whether `bytes` is, as a whole, valid UTF-8.
    public static func isValid(_ bytes: [UInt8]) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isComplete
    }

    @inline(__always)
    private static func step(_ state: State, _ b: UInt8) -> State {
        switch state {
        case .ground:
            switch b {
            case 0x00...0x7F: return .ground
            case 0xC2...0xDF: return .tail1
            case 0xE0: return .afterE0
            case 0xE1...0xEC, 0xEE...0xEF: return .tail2
            case 0xED: return .afterED
            case 0xF0: return .afterF0
            case 0xF1...0xF3: return .tail3
            case 0xF4: return .afterF4
            default: return .rejected  // 80...C1 (stray tail or overlong 2-byte lead), F5...FF
            }
        case .tail1: return (0x80...0xBF).contains(b) ? .ground : .rejected
        case .tail2: return (0x80...0xBF).contains(b) ? .tail1 : .rejected
        case .tail3: return (0x80...0xBF).contains(b) ? .tail2 : .rejected
        case .afterE0: return (0xA0...0xBF).contains(b) ? .tail1 : .rejected
        case .afterED: return (0x80...0x9F).contains(b) ? .tail1 : .rejected
        case .afterF0: return (0x90...0xBF).contains(b) ? .tail2 : .rejected
        case .afterF4: return (0x80...0x8F).contains(b) ? .tail2 : .rejected
        case .rejected: return .rejected
        }
    }
}
