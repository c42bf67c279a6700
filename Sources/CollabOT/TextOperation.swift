/// An edit of a plain-text document: components applied left to right from position 0.
///
/// Positions and lengths count Unicode scalar values. Whatever follows the last
/// component is kept.
///
/// A value is always in normalized form (contract §2.2): adjacent components of one
/// kind merged, no trailing retain, and where an insert and a delete meet at one
/// position the insert comes first. Every way of making one (the throwing
/// initializers, the builder methods, compose, transform, invert) keeps that form,
/// so two operations with the same effect compare equal.
///
/// The operation with no components (`isNoop`) is a legal value: transformation can
/// produce it (someone else already deleted what it deleted) and the server still
/// stores it as a version. Only what a peer *submits* must have an effect, which is
/// why `init(_:)` and `init(json:)` reject it with `.noEffect`.
public struct TextOperation: Sendable {
    /// One step of an operation.
    public enum Component: Sendable, Hashable {
        /// Keep (skip) `n` scalars.
        case retain(Int)
        /// Insert a non-empty string.
        case insert(String)
        /// Delete `n` scalars.
        case delete(Int)
    }

    /// The components, in order, in normalized form.
    public private(set) var components: [Component]

    /// How many scalars the document must have for this operation: the sum of its retains and deletes.
    public private(set) var inputLength: Int

    /// Scalars inserted minus scalars deleted.
    public private(set) var lengthChange: Int

    /// A retain the builder has been given but not yet written out: it only becomes a
    /// component once an insert or delete follows it, which keeps `components`
    /// normalized (no trailing retain) at every step. It has no effect on the document.
    private var pendingRetain: Int

    /// The operation that changes nothing.
    public init() {
        components = []
        inputLength = 0
        lengthChange = 0
        pendingRetain = 0
    }

    /// The operation that changes nothing.
    public static let noop = TextOperation()

    /// An operation of `components`, normalized but not validated: for trusted input such
    /// as the engine's own storage. Zero or negative counts and empty inserts are dropped.
    public init(unchecked components: [Component]) {
        self.init()
        self.components.reserveCapacity(components.count)
        for component in components {
            switch component {
            case .retain(let count): if count > 0 { retain(count) }
            case .insert(let text): insert(text)
            case .delete(let count): if count > 0 { delete(count) }
            }
        }
    }

    /// A validated, normalized operation of `components`.
    ///
    /// Throws `.nonPositiveCount`, `.emptyInsert`, `.nonIntegerCount` (the counts add up
    /// past `Int.max`) with the offending component's index, or `.noEffect` if nothing
    /// but retains remain.
    public init(_ components: [Component]) throws(TextOperationError) {
        self.init()
        self.components.reserveCapacity(components.count)
        for (index, component) in components.enumerated() {
            switch component {
            case .retain(let count):
                try appendCheckedCount(count, isDelete: false, index: index)
            case .insert(let text):
                guard !text.isEmpty else { throw .emptyInsert(index: index) }
                insert(text)
            case .delete(let count):
                try appendCheckedCount(count, isDelete: true, index: index)
            }
        }
        guard !self.components.isEmpty else { throw .noEffect }
    }

    /// How many scalars the document must have for this operation as it was written,
    /// counting a trailing skip that normalization dropped: the contract rejects
    /// `["x", 10]` on a 5-scalar document even though its normal form is `["x"]`.
    public var requiredLength: Int {
        let (total, overflow) = inputLength.addingReportingOverflow(pendingRetain)
        return overflow ? Int.max : total
    }

    /// True when the operation changes nothing (it has no components).
    public var isNoop: Bool { components.isEmpty }

    /// The length of a document of `documentLength` scalars after this operation.
    public func outputLength(for documentLength: Int) -> Int {
        documentLength + lengthChange
    }

    // MARK: - Builder

    /// Appends a retain of `count` scalars (zero does nothing; negative traps: a programming error).
    public mutating func retain(_ count: Int) {
        precondition(count >= 0, "negative retain")
        pendingRetain += count
    }

    /// Appends an insert of `text` (the empty string does nothing).
    public mutating func insert(_ text: String) {
        if text.isEmpty { return }
        insert(text, scalarCount: TextOperation.scalarCount(of: text))
    }

    /// Appends a delete of `count` scalars (zero does nothing; negative traps: a programming error).
    public mutating func delete(_ count: Int) {
        precondition(count >= 0, "negative delete")
        if count == 0 { return }
        flushPendingRetain()
        inputLength += count
        lengthChange -= count
        let last = components.count - 1
        if last >= 0, case .delete(let previous) = components[last] {
            components[last] = .delete(previous + count)
        } else {
            components.append(.delete(count))
        }
    }

    /// Appends an insert of non-empty `text` whose scalar count the caller already knows.
    mutating func insert(_ text: String, scalarCount: Int) {
        flushPendingRetain()
        lengthChange += scalarCount
        let last = components.count - 1
        guard last >= 0 else {
            components.append(.insert(text))
            return
        }
        switch components[last] {
        case .insert(let previous):
            components[last] = .insert(previous + text)
        case .delete:
            // Normalized form puts the insert before a delete at the same position.
            if last >= 1, case .insert(let previous) = components[last - 1] {
                components[last - 1] = .insert(previous + text)
            } else {
                components.insert(.insert(text), at: last)
            }
        case .retain:
            components.append(.insert(text))
        }
    }

    mutating func reserveCapacity(_ count: Int) {
        components.reserveCapacity(count)
    }

    private mutating func flushPendingRetain() {
        guard pendingRetain > 0 else { return }
        inputLength += pendingRetain
        // The last component cannot be a retain: retains only ever wait in `pendingRetain`.
        components.append(.retain(pendingRetain))
        pendingRetain = 0
    }

    /// Appends a retain or delete from untrusted input, refusing counts that are not
    /// positive or whose running total would overflow.
    mutating func appendCheckedCount(_ count: Int, isDelete: Bool, index: Int) throws(TextOperationError) {
        guard count > 0 else { throw .nonPositiveCount(index: index) }
        let (total, overflow) = inputLength.addingReportingOverflow(pendingRetain)
        guard !overflow, !total.addingReportingOverflow(count).overflow else {
            throw .nonIntegerCount(index: index)
        }
        if isDelete { delete(count) } else { retain(count) }
    }

    // MARK: - Scalars

    /// The number of Unicode scalars in `text`, counted from its UTF-8 without decoding.
    @inline(__always)
    static func scalarCount(of text: String) -> Int {
        let utf8 = text.utf8
        // A scalar starts at every byte that is not a continuation byte (10xxxxxx).
        if let count = utf8.withContiguousStorageIfAvailable({ bytes -> Int in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }) {
            return count
        }
        return text.unicodeScalars.count
    }
}

extension TextOperation: Hashable {
    public static func == (lhs: TextOperation, rhs: TextOperation) -> Bool {
        lhs.components == rhs.components
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(components)
    }
}

extension TextOperation: CustomStringConvertible {
    /// The operation in the wire notation, e.g. `[6,{"d":5},"there"]`, for messages and logs.
    public var description: String {
        var text = "["
        for (index, component) in components.enumerated() {
            if index > 0 { text += "," }
            switch component {
            case .retain(let count): text += String(count)
            case .insert(let inserted): text += inserted.debugDescription
            case .delete(let count): text += "{\"d\":\(count)}"
            }
        }
        return text + "]"
    }
}
